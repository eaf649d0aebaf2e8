package io.warpstats.node.http;

/** Supplies the node's current {@link NodeInfo}; called at most a few times per second, must not block long. */
@FunctionalInterface
public interface NodeInfoSource {
    NodeInfo nodeInfo();
}
