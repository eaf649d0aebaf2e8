package io.warpstats.replication;

import io.warpstats.p2p.pubsub.PubSubMessage;
import io.warpstats.p2p.pubsub.ValidationResult;
import io.warpstats.p2p.pubsub.Validator;
import java.util.function.LongSupplier;

/**
 * The topic validator that limits announcements per author ({@link SyncParams#announceRate()}), added next to
 * the broadcaster's parsing validator. Over the rate an announcement is IGNOREd (neither delivered nor
 * forwarded: a flood stops at the first honest node); over {@link SyncParams#hardLimitFactor()} times the rate
 * one sent by its author directly is REJECTed, so gossipsub's score (P4) charges the sender as well. Only a
 * direct author is charged a {@link PeerPenalty}: a relay of someone else's flood did nothing wrong, and
 * honest relays drop over-limit announcements themselves. An honest node publishes at most one announcement
 * per {@link PubSubBroadcaster#DEFAULT_MIN_PUBLISH_GAP} plus answers to new subscribers, well within the default.
 * Runs on the pubsub event loop: O(1), never blocks.
 */
final class AnnouncementLimit implements Validator {
    final PeerLimits limits;

    AnnouncementLimit(SyncParams params, PeerPenalty penalty, LongSupplier nanoClock) {
        this.limits = new PeerLimits("announcements", params.announceRate(), params, penalty, nanoClock);
    }

    @Override
    public ValidationResult validate(PubSubMessage m) {
        boolean direct = m.from().equals(m.receivedFrom());
        return switch (limits.take(m.from(), direct)) {
            case ALLOW -> ValidationResult.ACCEPT;
            case SLOW -> ValidationResult.IGNORE;
            case REFUSE -> direct ? ValidationResult.REJECT : ValidationResult.IGNORE;
        };
    }
}
