package io.warpstats.replication;

import io.warpstats.crdt.CrdtBroadcast;
import io.warpstats.multiformats.Cid;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Decides which heads an announcement carries and when, apart from how messages travel and how time
 * passes: {@link PubSubBroadcaster} runs it on the wall clock and gossipsub, the scale simulation on its
 * virtual clock and simulated routers, so both announce alike.
 *
 * <h2>Rules</h2>
 * <ul>
 *   <li><b>Fresh heads go out at once</b>, at most one announcement per {@code minPublishGap} on average
 *       with bursts of {@link #BURST}: over any time T at most {@code BURST + T / minPublishGap}
 *       announcements (the generic cell rate algorithm, a token bucket). Heads offered beyond that
 *       wait and go out together as soon as the budget allows, minus those that are no longer heads
 *       (a newer block links to them and its announcement covers them). The burst lets a flush that
 *       comes a little early (its predecessor's write took longer than its own) go out at once
 *       instead of waiting for the rest of a gap: with a gap at most the engine's flush delay, every
 *       timer flush is announced as soon as it is written, and the gap only binds flushes that come
 *       faster (size flushes, explicit flushes).</li>
 *   <li><b>Quiet window</b>: a head announced by anyone (this node, or another whose announcement was
 *       {@linkplain #heard heard}) is not announced again within its window, 3/4 of
 *       {@code rebroadcastInterval × 2^k}, where k counts the earlier windows in which the head was
 *       announced, at most {@link #MAX_DOUBLINGS}. The periodic rebroadcast of every replica offers all
 *       its heads; the first replica whose timer fires after a window ends announces them, the others hear
 *       it and stay quiet, so a network of N replicas on the same heads sends about one announcement per
 *       window instead of N per interval, and fewer and fewer while nothing changes.</li>
 *   <li><b>Reset on inconsistency</b>: an announcement that names a head this replica does not hold means
 *       the replicas differ (a healed partition, a lost message); the windows of this replica's own heads
 *       shrink back to one interval (k = 0), so the other side learns them within one interval.</li>
 * </ul>
 * This is the Trickle algorithm's idea (P. Levis et al., NSDI 2004; RFC 6206 §4.2: suppress a transmission
 * that others made consistently, double the interval while consistent, reset it on inconsistency) applied
 * to gossipsub's announcements, as go-ds-crdt suppresses the rebroadcast of heads it saw others announce.
 * A peer that subscribes to the topic is not served by the rebroadcast: {@link Replica} announces the heads to
 * it at once, outside these windows.
 *
 * <p>Thread-safe (one lock); the {@link Environment}'s {@code publish} and {@code later} are called outside it.
 */
public interface HeadAnnouncer {

    /** Most doublings of a head's quiet window: a head nobody changes is announced every 8 intervals at the least. */
    int MAX_DOUBLINGS = 3;

    /**
     * Announcements that may go out back to back after a quiet period of {@code BURST × minPublishGap}
     * (the bucket's depth): 2; the long-run rate stays one per gap.
     */
    int BURST = 2;

    /** Heads remembered with their windows (least recently announced forgotten first). */
    int MAX_REMEMBERED = 10_000;

    /** What the announcer reads of its replica and how its decisions take effect. */
    interface Environment {
        /** Sends one announcement: its heads (at most {@link CrdtBroadcast#MAX_HEADS}) and pushed blocks (CID → bytes). */
        void publish(List<CrdtBroadcast.Announced> heads, Map<Cid, byte[]> blocks);

        /** Runs {@code task} after {@code nanos} of this environment's clock. */
        void later(long nanos, Runnable task);

        /** The replica's current heads of DAG {@code dagName}, or {@code null} when not known (nothing of it is then left out as superseded). */
        Set<Cid> currentHeads(String dagName);

        /** Whether the replica holds block {@code cid}. */
        boolean holds(Cid cid);
    }

    /**
     * An announcer.
     *
     * @param rebroadcastInterval the base of the quiet window; zero or negative: no window (every offered head goes out)
     * @param minPublishGap       the announcements' least average spacing (at most {@link #BURST} + T / gap
     *                            in any time T); zero: no coalescing
     * @param nanoClock           the clock, in nanoseconds (monotonic)
     */
    static HeadAnnouncer create(Duration rebroadcastInterval, Duration minPublishGap, LongSupplier nanoClock, Environment env) {
        return new HeadAnnouncerImpl(rebroadcastInterval.toNanos(), Math.max(0, minPublishGap.toNanos()), nanoClock, env);
    }

    /** Offers the heads of a broadcast (a flush's or the periodic rebroadcast's); those outside their window go out. */
    void offer(CrdtBroadcast broadcast);

    /** Heads announced by another replica: their windows start now; an unknown one resets this replica's windows. */
    void heard(List<CrdtBroadcast.Announced> heads);

    /** Announcements published. */
    long published();

    /** Heads left out of announcements because they were inside their window. */
    long suppressed();
}
