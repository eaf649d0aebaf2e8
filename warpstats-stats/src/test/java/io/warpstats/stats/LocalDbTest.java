package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local database after close: every operation fails with STORAGE, none touches the freed native handle. */
class LocalDbTest {
    @TempDir Path dir;

    @Test
    void everyOperationAfterCloseFailsWithStorage() {
        LocalDb db = LocalDb.open(dir.resolve("local"));
        db.write(db.batch().putLong("k", 7));
        assertThat(db.getLong("k")).isEqualTo(7);
        db.close();
        db.close(); // twice: nothing more happens
        for (Runnable op : new Runnable[] {() -> db.get("k"), () -> db.write(db.batch().putLong("k", 8)),
                () -> db.scan("", null, (k, v) -> true), db::sizeOnDiskBytes}) {
            assertThatThrownBy(op::run).isInstanceOfSatisfying(StatsException.class,
                    e -> assertThat(e.problem()).isEqualTo(StatsException.Problem.STORAGE));
        }
    }

    @Test
    void readsRacingTheServiceCloseFailCleanly() throws Exception {
        StatsService stats = StatsService.builder().localDatabase(dir.resolve("svc")).nodeId("nodeA").open();
        stats.like("p", "u");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicReference<Throwable> unexpected = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!stop.get() && System.nanoTime() < end) {
                try {
                    stats.stats("p");
                    reads.incrementAndGet();
                } catch (StatsException e) {
                    if (e.problem() != StatsException.Problem.STORAGE) unexpected.set(e);
                    return; // closed
                } catch (Throwable t) {
                    unexpected.set(t);
                    return;
                }
            }
        });
        reader.start();
        long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (reads.get() < 100 && System.nanoTime() < until) Thread.onSpinWait(); // the reader is under way
        stats.close(); // a use of the freed handle would crash this JVM (SIGSEGV in librocksdbjni)
        reader.join(Duration.ofSeconds(30).toMillis());
        stop.set(true);
        assertThat(reads.get()).isGreaterThanOrEqualTo(100);
        assertThat(unexpected.get()).isNull();
        assertThat(reader.isAlive()).isFalse();
    }
}
