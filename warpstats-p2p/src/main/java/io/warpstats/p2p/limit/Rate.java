package io.warpstats.p2p.limit;

/**
 * A token-bucket rate: {@code perSecond} tokens are added each second, up to {@code burst}; a bucket
 * starts full. {@link #OFF} (a rate of 0) means no limit.
 *
 * @param perSecond tokens added per second (the sustained rate); 0: unlimited
 * @param burst     the bucket's capacity (what a client may spend at once after being idle); ≥ 1 unless off
 */
public record Rate(double perSecond, double burst) {
    /** No limit. */
    public static final Rate OFF = new Rate(0, 0);

    public Rate {
        if (!(perSecond >= 0) || Double.isInfinite(perSecond) || !(burst >= 0) || Double.isInfinite(burst)) {
            throw new IllegalArgumentException("a rate needs finite perSecond >= 0 and burst >= 0, not " + perSecond + "/" + burst);
        }
        if (perSecond > 0 && burst < 1) throw new IllegalArgumentException("a limited rate needs a burst of at least 1, not " + burst);
    }

    /** {@code perSecond} per second with a burst of {@code burst}. */
    public static Rate of(double perSecond, double burst) {
        return new Rate(perSecond, burst);
    }

    /** Whether this rate limits nothing. */
    public boolean off() {
        return perSecond == 0;
    }

    /** This rate and burst multiplied by {@code factor} (a hard limit above a soft one); off stays off. */
    public Rate times(double factor) {
        if (!(factor >= 1)) throw new IllegalArgumentException("factor must be >= 1, not " + factor);
        return off() ? OFF : new Rate(perSecond * factor, burst * factor);
    }

    @Override
    public String toString() {
        return off() ? "off" : perSecond + "/s (burst " + burst + ")";
    }
}
