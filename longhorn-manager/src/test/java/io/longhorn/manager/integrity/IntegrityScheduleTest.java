package io.longhorn.manager.integrity;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.longhorn.manager.service.InvalidInputException;
import io.longhorn.manager.settings.SettingNames;
import io.longhorn.manager.testing.HarnessTest;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IntegrityScheduleTest extends HarnessTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void theCheckIsScheduledOnlyWhileEnabledAndFollowsItsCronSetting() {
        AtomicInteger runs = new AtomicInteger();
        try (IntegritySchedule schedule = new IntegritySchedule(m.ctx, m.cron, runs::incrementAndGet)) {
            schedule.start();
            assertFalse(m.cron.schedules().containsKey(IntegritySchedule.JOB_ID), "disabled by default");

            m.settings.update(SettingNames.SNAPSHOT_DATA_INTEGRITY, "fast-check");
            await().atMost(WAIT).until(() -> "0 0 */7 * *".equals(m.cron.schedules().get(IntegritySchedule.JOB_ID)));
            m.settings.update(SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB, "*/5 * * * *");
            await().atMost(WAIT).until(() -> "*/5 * * * *".equals(m.cron.schedules().get(IntegritySchedule.JOB_ID)));
            m.cron.fire(IntegritySchedule.JOB_ID);
            assertEquals(1, runs.get());

            var e = assertThrows(InvalidInputException.class,
                    () -> m.settings.update(SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB, "every day"));
            assertTrue(e.getMessage().contains(SettingNames.SNAPSHOT_DATA_INTEGRITY_CRONJOB), e.getMessage());
            assertEquals("*/5 * * * *", m.cron.schedules().get(IntegritySchedule.JOB_ID));

            m.settings.update(SettingNames.SNAPSHOT_DATA_INTEGRITY, "disabled");
            await().atMost(WAIT).until(() -> !m.cron.schedules().containsKey(IntegritySchedule.JOB_ID));
        }
    }
}
