package io.warpstats.p2p.pubsub;

/** An RPC that is not valid protobuf, breaks the schema or exceeds a {@link RpcCodec.Limits limit}. */
final class MalformedRpcException extends Exception {
    MalformedRpcException(String message) { super(message); }

    MalformedRpcException(String message, Throwable cause) { super(message, cause); }
}
