package io.longhorn.manager.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class IoRatesTest {
    private static final long SECOND = 1_000_000_000L;

    private static IoSample sample(String id, long uptime, long reads, long readBytes, long readNanos, long writes,
                                   long writeBytes, long writeNanos) {
        return new IoSample(id, uptime, reads, readBytes, readNanos, writes, writeBytes, writeNanos);
    }

    @Test
    void ratesAreTheDifferenceOfTwoReadingsOverTheEnginesOwnClock() {
        IoSample a = sample("e1", 10 * SECOND, 1_000, 4_096_000, 1_000_000, 50, 204_800, 500_000);
        IoSample b = sample("e1", 14 * SECOND, 1_400, 5_734_400, 1_800_000, 250, 1_024_000, 4_500_000);
        assertEquals(Optional.of(new IoRates(100, 50, 409_600, 204_800, 2_000, 20_000)), IoRates.between(a, b));
    }

    @Test
    void latencyIsZeroForAnOperationThatDidNotHappenInTheInterval() {
        IoSample a = sample("e1", SECOND, 10, 40_960, 10_000, 0, 0, 0);
        IoSample b = sample("e1", 3 * SECOND, 10, 40_960, 10_000, 3, 12_288, 3_000);
        assertEquals(Optional.of(new IoRates(0, 1.5, 0, 6_144, 0, 1_000)), IoRates.between(a, b));
    }

    @Test
    void aRestartedEngineACounterThatWentBackOrNoElapsedTimeGiveNoRate() {
        IoSample a = sample("e1", 10 * SECOND, 100, 409_600, 1_000, 100, 409_600, 1_000);
        assertEquals(Optional.empty(), IoRates.between(a, sample("e2", 20 * SECOND, 200, 819_200, 2_000, 200, 819_200, 2_000)));
        assertEquals(Optional.empty(), IoRates.between(a, sample("e1", 20 * SECOND, 99, 409_600, 1_000, 100, 409_600, 1_000)));
        assertEquals(Optional.empty(), IoRates.between(a, sample("e1", 9 * SECOND, 100, 409_600, 1_000, 100, 409_600, 1_000)));
        assertEquals(Optional.empty(), IoRates.between(a, a));
    }

    @Test
    void readingsCloserThanTheMinimumIntervalKeepThePreviousRatesAndTheirStart() {
        VolumeIoRates rates = new VolumeIoRates();
        IoSample a = sample("e1", 10 * SECOND, 0, 0, 0, 0, 0, 0);
        rates.record("vol1", a);
        assertSame(IoRates.ZERO, rates.of("vol1"), "one reading has no rate");
        rates.record("vol1", sample("e1", 10 * SECOND + 1_000_000, 0, 0, 0, 5, 20_480, 5_000));
        assertSame(IoRates.ZERO, rates.of("vol1"), "1 ms after the start: too soon");
        assertEquals(a, rates.start("vol1"));
        IoSample b = sample("e1", 12 * SECOND, 0, 0, 0, 20, 81_920, 40_000);
        rates.record("vol1", b);
        assertEquals(new IoRates(0, 10, 0, 40_960, 0, 2_000), rates.of("vol1"));
        assertEquals(b, rates.start("vol1"));
        assertSame(IoRates.ZERO, rates.of("other"));
    }

    @Test
    void aRestartOrAForgottenEngineStartsOverFromZero() {
        VolumeIoRates rates = new VolumeIoRates();
        rates.record("vol1", sample("e1", 10 * SECOND, 0, 0, 0, 0, 0, 0));
        rates.record("vol1", sample("e1", 12 * SECOND, 0, 0, 0, 20, 81_920, 40_000));
        assertTrue(rates.of("vol1").writeIops() > 0);
        IoSample restarted = sample("e2", 3 * SECOND, 0, 0, 0, 1, 4_096, 100);
        rates.record("vol1", restarted);
        assertSame(IoRates.ZERO, rates.of("vol1"));
        assertEquals(restarted, rates.start("vol1"));
        rates.forget("vol1");
        assertSame(IoRates.ZERO, rates.of("vol1"));
        assertEquals(null, rates.start("vol1"));
    }
}
