package io.longhorn.manager.jobs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class RetentionTest {
    @Test
    void theOldestBeyondRetainAreDeleted() {
        var items = List.of("2024-01-03T00:00:00Z", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-04T00:00:00Z");
        assertEquals(List.of("2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"), Retention.toDelete(items, 2, Function.identity()));
    }

    @Test
    void nothingIsDeletedWithinRetain() {
        assertEquals(List.of(), Retention.toDelete(List.of("2024-01-01T00:00:00Z"), 1, Function.identity()));
    }

    @Test
    void fractionsOfSecondsSortAsTimesNotAsText() {
        var items = List.of("2024-01-01T00:00:00Z", "2024-01-01T00:00:00.500Z");
        assertEquals(List.of("2024-01-01T00:00:00Z"), Retention.toDelete(items, 1, Function.identity()));
    }
}
