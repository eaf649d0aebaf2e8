package io.warpstats.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local database after close: every operation fails with STORAGE, none touches the freed native handle. The
 * outbox count: exact after every write (against a scan), across a reopen and under concurrent writers.
 */
class LocalDbTest {
    @TempDir Path dir;

    /** A batch of up to 8 random puts and deletes over 12 outbox keys and 4 other keys, repeats included. */
    private static LocalDb.Batch randomBatch(LocalDb db, Random rnd) {
        LocalDb.Batch b = db.batch();
        int ops = 1 + rnd.nextInt(8);
        for (int i = 0; i < ops; i++) {
            String key = rnd.nextInt(4) == 0 ? "c/x/p" + rnd.nextInt(4) : LocalKeys.outbox("/likers/p/u" + rnd.nextInt(12));
            if (rnd.nextInt(3) == 0) b.delete(key);
            else b.putLong(key, rnd.nextInt(100));
        }
        return b;
    }

    @Property(tries = 40)
    void theOutboxCountIsExactAfterEveryWriteAndAReopen(@ForAll long seed) throws IOException {
        Random rnd = new Random(seed);
        Path d = Files.createTempDirectory("outbox-count"); // jqwik does not fill @TempDir
        try {
            outboxCountCase(d, rnd);
        } finally {
            try (Stream<Path> files = Files.walk(d)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private static void outboxCountCase(Path d, Random rnd) {
        try (LocalDb db = LocalDb.open(d)) {
            for (int i = 0; i < 60; i++) {
                db.write(randomBatch(db, rnd));
                assertThat(db.outboxKeys()).isEqualTo(db.count(LocalKeys.OUTBOX));
            }
        }
        try (LocalDb db = LocalDb.open(d)) {
            assertThat(db.outboxKeys()).as("counted at open").isEqualTo(db.count(LocalKeys.OUTBOX));
            db.write(randomBatch(db, rnd));
            assertThat(db.outboxKeys()).isEqualTo(db.count(LocalKeys.OUTBOX));
        }
    }

    @Test
    void theOutboxCountStaysExactUnderConcurrentWriters() throws Exception {
        try (LocalDb db = LocalDb.open(dir.resolve("concurrent"))) {
            Thread[] writers = new Thread[4];
            AtomicReference<Throwable> failed = new AtomicReference<>();
            for (int t = 0; t < writers.length; t++) {
                Random rnd = new Random(t);
                writers[t] = new Thread(() -> {
                    try {
                        for (int i = 0; i < 500; i++) db.write(randomBatch(db, rnd));
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                writers[t].start();
            }
            for (Thread w : writers) w.join(Duration.ofSeconds(60).toMillis());
            assertThat(failed.get()).isNull();
            assertThat(db.outboxKeys()).isEqualTo(db.count(LocalKeys.OUTBOX));
        }
    }

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
