package io.longhorn.manager.jobs;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.parser.CronParser;

/** Checks five-field unix cron expressions, the form Longhorn's recurring jobs use. */
public final class CronExpressions {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

    private CronExpressions() {
    }

    /** @throws IllegalArgumentException saying what is wrong */
    public static void validate(String cron) {
        if (cron == null || cron.isBlank()) {
            throw new IllegalArgumentException("the expression is empty");
        }
        PARSER.parse(cron.trim()).validate();
    }
}
