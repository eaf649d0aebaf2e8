package io.warpstats.p2p.pubsub;

/**
 * Judges a message of a topic after its signature was verified and before it is delivered or
 * forwarded. Runs on the pubsub event loop: it must be quick and must not block. An exception
 * counts as {@link ValidationResult#IGNORE}.
 */
@FunctionalInterface
public interface Validator {
    ValidationResult validate(PubSubMessage message);
}
