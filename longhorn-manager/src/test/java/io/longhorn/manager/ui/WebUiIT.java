package io.longhorn.manager.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.longhorn.manager.testing.ManagerProcess;
import io.longhorn.manager.testing.Tools;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * The web UI in Debian's headless Chromium against the packaged manager with real engines, replicas
 * and backup service: a volume created, attached, snapshotted, backed up and restored into a new
 * volume, all through the pages; the API's own error messages shown next to the field that caused
 * them. Every page is saved as a screenshot under {@code target/ui-screenshots/}.
 */
class WebUiIT {
    /** Attaching starts real processes; on a busy two-core machine that takes a while. */
    private static final Duration SLOW = Duration.ofSeconds(120);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static Path dataDir;
    private static Path backupDir;
    private static ManagerProcess manager;
    private Browser browser;

    @BeforeAll
    static void startManager() throws Exception {
        assertTrue(ManagerProcess.servicesBuilt(),
                "the replica, engine and backupstore modules must be packaged first: build with -pl longhorn-manager -am");
        assertTrue(Browser.installed(), "the browser tests need Debian's chromium and chromium-driver"
                + " (/usr/bin/chromium, /usr/bin/chromedriver): bin/test-all installs them");
        Path root = Files.createTempDirectory("ui-it-");
        dataDir = Files.createDirectories(root.resolve("data"));
        backupDir = Files.createDirectories(root.resolve("backups"));
        manager = ManagerProcess.start(dataDir, ManagerProcess.freePort());
    }

    @AfterAll
    static void stopManager() throws Exception {
        try {
            if (manager != null) {
                manager.kill();
            }
        } finally {
            if (dataDir != null) {
                ManagerProcess.killInstances(dataDir);
                ManagerProcess.deleteTree(dataDir.getParent());
            }
        }
    }

    @BeforeEach
    void openBrowser() throws IOException {
        browser = Browser.open(manager.url());
        browser.signIn(manager.token());
    }

    @AfterEach
    void closeBrowser() throws IOException {
        if (browser == null) {
            return;
        }
        try {
            assertEquals(List.of(), browser.scriptErrors(), "script errors in the page");
        } finally {
            browser.close();
        }
    }

    @Test
    void aVolumeIsCreatedAttachedSnapshottedBackedUpAndRestoredFromTheBrowser() throws Exception {
        browser.go("");
        browser.awaitText("main h1", "Dashboard", Browser.WAIT);
        browser.find(".donut");

        // Create.
        browser.click("a[data-nav=volumes]");
        browser.click("#create-volume-button");
        browser.type("#create-volume-name", "web-vol");
        browser.type("#create-volume-size", "64Mi");
        browser.type("#create-volume-numberOfReplicas", "2");
        // The NBD export, which qemu-io writes to below (blockdev has its own end-to-end test).
        browser.script("const s = document.getElementById('create-volume-frontend'); s.value = 'nbd';"
                + " s.dispatchEvent(new Event('change', { bubbles: true }));");
        browser.click("#create-volume-submit");
        browser.waitFor(() -> browser.present("#create-volume") ? null : true, "the create dialog to close");
        browser.awaitText("tr[data-volume=web-vol]", "detached", SLOW);
        assertTrue(browser.text("tr[data-volume=web-vol]").contains("64 MiB"), browser.text("tr[data-volume=web-vol]"));

        // Attach from the row's menu.
        rowAction("web-vol", "attach");
        browser.click("#attach-volume-submit");
        browser.awaitText("tr[data-volume=web-vol]", "healthy", SLOW);
        browser.awaitText("tr[data-volume=web-vol]", "attached", Browser.WAIT);
        browser.screenshot("volumes-attached");
        // Data, so that the backup has a size: 4 MiB through the volume's NBD export.
        String endpoint = api("GET", "/v1/volumes/web-vol", null).path("endpoint").asText();
        assertTrue(endpoint.startsWith("nbd://"), endpoint);
        Tools.writePattern(endpoint, 0x5a, "0", "4M");

        // Snapshot on the volume's page.
        browser.click("a[data-key='open-web-vol']");
        browser.awaitText("main h1", "web-vol", Browser.WAIT);
        browser.click("#snapshot-button");
        browser.type("#create-snapshot-name", "snap-web");
        browser.click("#create-snapshot-submit");
        browser.waitFor(() -> browser.present("li.snap[data-snapshot=snap-web]") ? true : null, "snapshot snap-web in the tree");
        assertTrue(browser.present("li.snap-head"), "the volume head is drawn");

        // A backup to a target that is not there fails, and the page says why.
        Path missing = backupDir.resolveSibling("not-mounted");
        api("PUT", "/v1/backuptargets/default", "{\"backupTargetURL\":\"file://" + missing + "\"}");
        browser.click("button[data-key='backup-snap-web']");
        browser.click("#backup-snapshot-submit");
        String failure = browser.waitFor(() -> {
            if (browser.displayed("#backup-snapshot-error")) {
                return browser.text("#backup-snapshot-error");
            }
            String row = browser.text("tr[data-backup-request=snap-web]") + browser.text("tr[data-backup]");
            return row.contains("Error") ? row : null;
        }, "the failed backup's error on the volume page", SLOW);
        assertTrue(failure.contains(missing.toString()), failure);
        if (browser.present("#backup-snapshot")) {
            browser.click("#backup-snapshot-cancel");
        }

        // The backup target: a directory of our own, set on the settings page. The page first shows
        // the missing target as unavailable, with its error; after the save, the new target's state.
        browser.click("a[data-nav=settings]");
        browser.waitFor(() -> "unavailable".equals(browser.text("#backup-target-status")) ? true : null,
                "the missing target to be shown unavailable", SLOW);
        browser.awaitText("#backup-target-message", missing.toString(), Browser.WAIT);
        browser.type("#target-backupTargetURL", "file://" + backupDir);
        browser.click("#backup-target-save");
        browser.waitFor(() -> api("GET", "/v1/backuptargets/default", null).path("available").asBoolean() ? true : null,
                "the backup target to become available", SLOW);
        browser.waitFor(() -> "available".equals(browser.text("#backup-target-status")) ? true : null,
                "the badge to say exactly \"available\" (now: \"" + browser.text("#backup-target-status") + "\")", SLOW);
        assertFalse(browser.present("#backup-target-message"), "the old target's error is gone");
        assertEquals("file://" + backupDir, browser.find("#target-backupTargetURL").getDomProperty("value"));
        browser.fullPageScreenshot("settings", 1400);

        // Back it up and watch it complete.
        browser.go("#/volumes/web-vol");
        browser.click("button[data-key='backup-snap-web']");
        browser.click("#backup-snapshot-submit");
        String done = "section[data-backups] tr[data-backup]";
        WebElement doneRow = browser.waitFor(() -> browser.driver().findElements(org.openqa.selenium.By.cssSelector(done))
                .stream().filter(r -> r.getText().contains("snap-web") && r.getText().contains("Completed")).findFirst()
                .orElse(null), "a completed backup of snap-web listed on the volume page", SLOW);
        String doneName = doneRow.getDomAttribute("data-backup");
        long size = Long.parseLong(api("POST", "/v1/backupvolumes/web-vol?action=backupGet",
                "{\"name\":\"" + doneName + "\"}").path("size").asText());
        assertTrue(size >= 4L << 20, "the backup holds the 4 MiB written: " + size);
        assertEquals(sizeText(size), browser.text(done + "[data-backup='" + doneName + "'] td.num"));
        browser.fullPageScreenshot("volume-detail", 1400);

        // Restore it into a new volume from the backups page.
        String completed = null;
        for (JsonNode b : api("POST", "/v1/backupvolumes/web-vol?action=backupList", "{}").path("data")) {
            if ("Completed".equals(b.path("state").asText())) {
                completed = b.path("name").asText();
            }
        }
        assertTrue(completed != null, "the API lists the completed backup");
        browser.click("a[data-nav=backups]");
        String backupRow = "section[data-backup-volume=web-vol] tr[data-backup='" + completed + "']";
        browser.awaitText(backupRow, "Completed", SLOW);
        browser.click(backupRow + " button.menu-button");
        browser.click(".menu button[data-action=restore]");
        browser.type("#restore-volume-name", "web-vol-restored");
        browser.type("#restore-volume-numberOfReplicas", "1");
        browser.click("#restore-volume-submit");
        browser.waitFor(() -> browser.present("#restore-volume") ? null : true, "the restore dialog to close");
        browser.screenshot("backups");

        // A disaster-recovery standby volume follows the backup volume until it is activated.
        browser.click(backupRow + " button.menu-button");
        browser.click(".menu button[data-action=standby]");
        browser.type("#standby-volume-name", "web-vol-dr");
        browser.type("#standby-volume-numberOfReplicas", "1");
        browser.click("#standby-volume-submit");
        browser.waitFor(() -> browser.present("#standby-volume") ? null : true, "the standby dialog to close");
        browser.awaitText("section[data-backup-volume=web-vol] .standbys", "web-vol-dr", SLOW);
        assertTrue(api("GET", "/v1/volumes/web-vol-dr", null).path("standby").asBoolean(), "web-vol-dr is a standby");
        browser.waitFor(() -> api("GET", "/v1/volumes/web-vol-dr", null).path("lastRestoredBackup").asText().isEmpty()
                ? null : true, "web-vol-dr to restore the backup", SLOW);
        browser.awaitText("section[data-backup-volume=web-vol] .standbys", "restored up to", Browser.WAIT);
        browser.screenshot("backups-standby");
        browser.click("button[data-key='activate-web-vol-dr']");
        browser.click("#activate-volume-submit");
        browser.waitFor(() -> api("GET", "/v1/volumes/web-vol-dr", null).path("standby").asBoolean() ? null : true,
                "web-vol-dr to be activated", SLOW);
        browser.waitFor(() -> browser.present("button[data-key='activate-web-vol-dr']") ? null : true,
                "the activated volume to leave the standby list");

        // The restored volume is in the list, and once restored it is detached and ready.
        browser.click("a[data-nav=volumes]");
        browser.find("tr[data-volume=web-vol-restored]");
        browser.waitFor(() -> api("GET", "/v1/volumes/web-vol-restored", null).path("lastRestoredBackup").asText()
                .isEmpty() ? null : true, "web-vol-restored to finish restoring", SLOW);
        browser.awaitText("tr[data-volume=web-vol-restored]", "detached", SLOW);
        assertTrue(browser.text("tr[data-volume=web-vol-restored]").contains("64 MiB"));
        JsonNode restored = api("GET", "/v1/volumes/web-vol-restored", null);
        assertEquals(1, restored.path("numberOfReplicas").asInt());
        assertTrue(restored.path("fromBackup").asText().contains("volume=web-vol"), restored.path("fromBackup").asText());
        browser.find("tr[data-volume=web-vol-dr]");

        snapshotsAreDeletedPurgedAndRevertedAfterADetach();

        // A backup is deleted from the backups page.
        browser.click("a[data-nav=backups]");
        browser.awaitText(backupRow, "Completed", SLOW);
        browser.click(backupRow + " button.menu-button");
        browser.click(".menu button[data-action=delete]");
        browser.awaitText("#delete-backup", completed, Browser.WAIT);
        browser.click("#delete-backup-submit");
        browser.waitFor(() -> browser.present(backupRow) ? null : true, "the deleted backup to leave the list", SLOW);
        String deleted = completed;
        browser.waitFor(() -> {
            for (JsonNode b : api("POST", "/v1/backupvolumes/web-vol?action=backupList", "{}").path("data")) {
                if (deleted.equals(b.path("name").asText())) {
                    return null;
                }
            }
            return true;
        }, "the API to no longer list the deleted backup", SLOW);

        volumesAreFilteredAndSorted();
        api("POST", "/v1/volumes", "{\"name\":\"scratch\",\"size\":\"256Mi\",\"numberOfReplicas\":2}");
        browser.click("a[data-nav=volumes]");
        browser.awaitText("tr[data-volume=scratch]", "detached", SLOW);
        browser.screenshot("volumes");
        browser.click("a[data-nav=dashboard]");
        int volumes = volumeNames().size();
        browser.awaitText(".donut-total", String.valueOf(volumes), Browser.WAIT);
        browser.screenshot("dashboard");
        browser.resize(390, 844);
        browser.click("a[data-nav=volumes]");
        browser.find("tr[data-volume=web-vol-restored]");
        browser.screenshot("volumes-phone");
    }

    /** On web-vol's page: a snapshot deleted and purged away, then detach, the read-only tree, revert. */
    private void snapshotsAreDeletedPurgedAndRevertedAfterADetach() throws Exception {
        browser.go("#/volumes/web-vol");
        browser.awaitText("main h1", "web-vol", Browser.WAIT);
        for (String name : List.of("snap-two", "snap-three")) {
            browser.click("#snapshot-button");
            browser.type("#create-snapshot-name", name);
            browser.click("#create-snapshot-submit");
            browser.waitFor(() -> browser.present("li.snap[data-snapshot=" + name + "]") ? true : null, name + " in the tree");
        }
        browser.click("button[data-key='delete-snap-two']");
        browser.click("#delete-snapshot-submit");
        browser.waitFor(() -> browser.present("li.snap[data-snapshot=snap-two]:not(.snap-removed)") ? null : true,
                "snap-two to be removed");
        browser.click("#purge-button");
        browser.click("#purge-snapshots-submit");
        browser.waitFor(() -> browser.present("li.snap[data-snapshot=snap-two]") ? null : true,
                "snap-two to be purged from the tree", SLOW);
        assertFalse(snapshotNames("web-vol").contains("snap-two"), "the API no longer lists snap-two");
        assertTrue(browser.present("li.snap[data-snapshot=snap-three]"), "snap-three stays");

        // Detached, the tree stays readable; revert is the one action, through a maintenance-mode attach.
        browser.click("#detach-button");
        browser.click("#detach-volume-submit");
        browser.awaitText("main .head-badges", "detached", SLOW);
        browser.find("#snapshots-detached");
        browser.waitFor(() -> browser.present("li.snap[data-snapshot=snap-three]") ? true : null,
                "the detached volume's snapshot tree");
        assertTrue(browser.present("li.snap[data-snapshot=snap-web]"));
        assertTrue(browser.present("li.snap-head"), "the head is drawn");
        assertFalse(browser.present("button[data-key='delete-snap-web']"), "no delete without an engine");
        assertFalse(browser.present("button[data-key='backup-snap-web']"), "no backup without an engine");
        browser.fullPageScreenshot("volume-detached", 1400);
        browser.click("button[data-key='revert-snap-web']");
        browser.awaitText("#revert-detached", "maintenance mode", Browser.WAIT);
        browser.screenshot("volume-revert-detached");
        browser.click("#revert-detached-submit");
        browser.waitFor(() -> browser.present("#revert-detached") ? null : true,
                "the detached revert to attach, revert and detach", SLOW);
        assertFalse(browser.present("#revert-detached-error:not([hidden])"), "the detached revert reported no error");
        assertEquals("detached", api("GET", "/v1/volumes/web-vol", null).path("state").asText(),
                "the volume is detached again after the revert");

        // Attached in maintenance mode, the engine's own chain shows the head on snap-web; revert again.
        browser.click("#attach-maintenance-button");
        assertTrue(browser.find("#attach-volume-disableFrontend").isSelected(), "maintenance mode is checked");
        browser.click("#attach-volume-submit");
        browser.awaitText("main .head-badges", "attached", SLOW);
        assertEquals("snap-web", headParent("web-vol"), "the detached revert based the head on snap-web");
        browser.waitFor(() -> browser.find("button[data-key='revert-snap-three']").isEnabled() ? true : null,
                "revert to be enabled in maintenance mode", SLOW);
        browser.click("button[data-key='revert-snap-three']");
        browser.click("#revert-snapshot-submit");
        browser.waitFor(() -> "snap-three".equals(headParent("web-vol")) ? true : null,
                "the head to be based on snap-three after the revert", SLOW);
    }

    private static String headParent(String volume) {
        for (JsonNode s : api("POST", "/v1/volumes/" + volume + "?action=snapshotList", "{}").path("data")) {
            if ("volume-head".equals(s.path("name").asText())) {
                return s.path("parent").asText();
            }
        }
        return "";
    }

    private void volumesAreFilteredAndSorted() {
        browser.click("a[data-nav=volumes]");
        browser.find("tr[data-volume=web-vol-restored]");
        typeFilter("restored");
        browser.waitFor(() -> listedVolumes().equals(List.of("web-vol-restored")) ? true : null,
                "only web-vol-restored to be listed");
        typeFilter("");
        browser.waitFor(() -> listedVolumes().size() >= 3 ? true : null, "every volume to be listed again");
        List<String> ascending = listedVolumes();
        List<String> sorted = new ArrayList<>(ascending);
        sorted.sort(String::compareTo);
        assertEquals(sorted, ascending, "listed by name");
        assertEquals("ascending", browser.find("th[aria-sort]").getDomAttribute("aria-sort"));
        browser.click("button[data-key='sort-name']");
        List<String> descending = new ArrayList<>(ascending);
        java.util.Collections.reverse(descending);
        browser.waitFor(() -> listedVolumes().equals(descending) ? true : null,
                "the names in descending order");
        assertEquals("descending", browser.find("th[aria-sort]").getDomAttribute("aria-sort"));
        browser.click("button[data-key='sort-size']");
        browser.waitFor(() -> {
            List<Long> sizes = listedVolumes().stream().map(n -> api("GET", "/v1/volumes/" + n, null)
                    .path("size").asLong()).toList();
            List<Long> ordered = new ArrayList<>(sizes);
            ordered.sort(Long::compare);
            return sizes.equals(ordered) ? true : null;
        }, "the volumes ordered by size");
        browser.click("button[data-key='sort-name']");
        browser.waitFor(() -> listedVolumes().equals(ascending) ? true : null, "back to names in ascending order");
    }

    /**
     * Types into the list's filter key by key, as a user does: the list re-renders on every key (the
     * field keeps focus and caret), so keys go to whatever field has the focus.
     */
    private void typeFilter(String text) {
        browser.click("#volume-filter");
        browser.driver().switchTo().activeElement().sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.BACK_SPACE);
        for (char c : text.toCharArray()) {
            browser.driver().switchTo().activeElement().sendKeys(String.valueOf(c));
        }
        browser.waitFor(() -> text.equals(browser.find("#volume-filter").getDomProperty("value")) ? true : null,
                "the filter to read \"" + text + "\"");
    }

    private List<String> listedVolumes() {
        return browser.driver().findElements(org.openqa.selenium.By.cssSelector("tr[data-volume]")).stream()
                .filter(WebElement::isDisplayed).map(r -> r.getDomAttribute("data-volume")).toList();
    }

    private static List<String> snapshotNames(String volume) {
        List<String> names = new ArrayList<>();
        api("POST", "/v1/volumes/" + volume + "?action=snapshotList", "{}").path("data")
                .forEach(s -> names.add(s.path("name").asText()));
        return names;
    }

    /** The UI's size format for what a backup holds (whole MiB, or KiB). */
    private static String sizeText(long bytes) {
        if (bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        return java.math.BigDecimal.valueOf(bytes / 1048576.0).setScale(bytes >= 10L << 20 ? 1 : 2,
                java.math.RoundingMode.HALF_UP).stripTrailingZeros().toPlainString() + " MiB";
    }

    @Test
    void aDetachedVolumeIsExpandedGetsAnotherReplicaCountAndIsDeletedAfterConfirmation() throws Exception {
        api("POST", "/v1/volumes", "{\"name\":\"edit-vol\",\"size\":\"32Mi\",\"numberOfReplicas\":2}");
        browser.go("#/volumes");
        browser.awaitText("tr[data-volume=edit-vol]", "detached", SLOW);

        rowAction("edit-vol", "expand");
        String shrink = apiError("POST", "/v1/volumes/edit-vol?action=expand", "{\"size\":\"16Mi\"}");
        browser.type("#expand-volume-size", "16Mi");
        browser.click("#expand-volume-submit");
        assertEquals(shrink, browser.find("#expand-volume [data-error-for=size]").getText());
        browser.type("#expand-volume-size", "48Mi");
        browser.click("#expand-volume-submit");
        browser.awaitText("tr[data-volume=edit-vol]", "48 MiB", Browser.WAIT);
        assertEquals(String.valueOf(48L << 20), api("GET", "/v1/volumes/edit-vol", null).path("size").asText());

        rowAction("edit-vol", "replicas");
        browser.type("#replica-count-replicaCount", "3");
        browser.click("#replica-count-submit");
        browser.waitFor(() -> browser.present("#replica-count") ? null : true, "the replica dialog to close");
        assertEquals(3, api("GET", "/v1/volumes/edit-vol", null).path("numberOfReplicas").asInt());

        rowAction("edit-vol", "delete");
        browser.awaitText("#delete-volume", "Delete edit-vol?", Browser.WAIT);
        // The dangerous button is not the default: Cancel has the focus.
        assertEquals("delete-volume-cancel", browser.driver().switchTo().activeElement().getDomAttribute("id"));
        browser.click("#delete-volume-submit");
        browser.waitFor(() -> browser.present("tr[data-volume=edit-vol]") ? null : true, "edit-vol to leave the list", SLOW);
        assertFalse(volumeNames().contains("edit-vol"));
    }

    @Test
    void anAttachedVolumeIsDeletedAfterAConfirmationThatSaysItIsDetachedFirst() throws Exception {
        api("POST", "/v1/volumes", "{\"name\":\"busy-vol\",\"size\":\"16Mi\",\"numberOfReplicas\":1,\"frontend\":\"nbd\"}");
        api("POST", "/v1/volumes/busy-vol?action=attach", "{}");
        browser.go("#/volumes");
        browser.awaitText("tr[data-volume=busy-vol]", "attached", SLOW);
        String endpoint = api("GET", "/v1/volumes/busy-vol", null).path("endpoint").asText();
        rowAction("busy-vol", "delete");
        browser.awaitText("#delete-volume", "Delete busy-vol?", Browser.WAIT);
        assertEquals("It is attached on it-node: it is detached first, and clients using " + endpoint
                + " lose the device.", browser.find("#delete-volume [data-attached]").getText());
        browser.click("#delete-volume-submit");
        browser.waitFor(() -> browser.present("#delete-volume") ? null : true, "the dialog to close", SLOW);
        browser.waitFor(() -> browser.present("tr[data-volume=busy-vol]") ? null : true, "busy-vol to leave the list",
                SLOW);
        browser.waitFor(() -> {
            try {
                return volumeNames().contains("busy-vol") ? null : true;
            } catch (Exception e) {
                return null;
            }
        }, "the API to no longer list busy-vol", SLOW);
    }

    @Test
    void aVolumeThatDoesNotExistIsNotFoundWhileTheManagerIsNotUnreachable() throws Exception {
        browser.go("#/volumes/nope");
        browser.awaitText("main", "volume nope not found", Browser.WAIT);
        // The badge is empty and hidden (not displayed, so read from the page).
        assertEquals("", browser.script("return document.getElementById('conn').textContent"),
                "a 404 is an answer: no unreachable badge");
        assertEquals(false, browser.script("return document.getElementById('conn').classList.contains('conn-down')"));
        // The badge still shows when the manager does not answer at all.
        browser.script("window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));"
                + " location.hash = '#/volumes';");
        browser.awaitText("#conn", "Manager unreachable", SLOW);
        browser.driver().navigate().refresh();
        browser.awaitText("main h1", "Volumes", Browser.WAIT);
        assertEquals("", browser.script("return document.getElementById('conn').textContent"));
    }

    @Test
    void anInvalidSizeShowsTheApisErrorNextToTheSizeFieldAndCreatesNothing() throws Exception {
        String apiMessage = apiError("POST", "/v1/volumes", "{\"name\":\"bad-size\",\"size\":\"abc\"}");
        browser.go("#/volumes");
        browser.click("#create-volume-button");
        browser.type("#create-volume-name", "bad-size");
        browser.type("#create-volume-size", "abc");
        browser.click("#create-volume-submit");
        WebElement error = browser.find("#create-volume [data-error-for=size]");
        assertEquals(apiMessage, error.getText());
        WebElement size = browser.find("#create-volume-size");
        assertEquals("true", size.getDomAttribute("aria-invalid"));
        assertTrue(size.getDomAttribute("aria-describedby").contains(error.getDomAttribute("id")),
                "the size field points screen readers at its error");
        assertFalse(browser.displayed("#create-volume-error"), "the message is at the field, not the form");
        browser.screenshot("create-volume-invalid-size");

        // Escape closes the dialog; nothing was created.
        browser.find("#create-volume-size").sendKeys(Keys.ESCAPE);
        browser.waitFor(() -> browser.present("#create-volume") ? null : true, "the dialog to close");
        assertFalse(volumeNames().contains("bad-size"), "no volume was created");
    }

    @Test
    void aRecurringJobShowsItsScheduleInWordsAndACronErrorAtTheCronField() throws Exception {
        browser.go("#/jobs");
        browser.click("#create-job-button");
        browser.type("#create-job-name", "nightly");
        browser.type("#create-job-cron", "30 2 * * 1-5");
        browser.awaitText("#create-job-cron-preview", "At 02:30, Monday through Friday", Browser.WAIT);
        browser.screenshot("recurring-job-form");

        String apiMessage = apiError("POST", "/v1/recurringjobs",
                "{\"name\":\"nightly\",\"task\":\"snapshot\",\"cron\":\"61 2 * * *\",\"retain\":1}");
        browser.type("#create-job-cron", "61 2 * * *");
        browser.awaitText("#create-job-cron-preview", "Not a valid cron expression", Browser.WAIT);
        browser.click("#create-job-submit");
        assertEquals(apiMessage, browser.find("#create-job [data-error-for=cron]").getText());

        browser.type("#create-job-cron", "30 2 * * 1-5");
        browser.type("#create-job-retain", "5");
        browser.click("#create-job-submit");
        browser.waitFor(() -> browser.present("#create-job") ? null : true, "the job dialog to close");
        browser.awaitText("tr[data-job=nightly]", "At 02:30, Monday through Friday", Browser.WAIT);
        JsonNode job = api("GET", "/v1/recurringjobs/nightly", null);
        assertEquals("30 2 * * 1-5", job.path("cron").asText());
        assertEquals(5, job.path("retain").asInt());
        browser.screenshot("recurring-jobs");
    }

    @Test
    void aRefusedSettingShowsTheApisMessageUnderThatSetting() throws Exception {
        String apiMessage = apiError("PUT", "/v1/settings/default-replica-count", "{\"value\":\"0\"}");
        browser.go("#/settings");
        browser.type("#setting-default-replica-count", "0");
        browser.click("form[data-setting=default-replica-count] button.save");
        browser.awaitText("#setting-default-replica-count-error", apiMessage, Browser.WAIT);
        assertEquals("3", api("GET", "/v1/settings/default-replica-count", null).path("value").asText(),
                "the setting kept its value");
        browser.click("form[data-setting=default-replica-count] button.revert");
        browser.waitFor(() -> browser.displayed("#setting-default-replica-count-error") ? null : true,
                "the error to go away with the draft");
        assertEquals("3", browser.find("#setting-default-replica-count").getDomProperty("value"));
    }

    @Test
    void theDashboardAndTheVolumeListAreUsableWithTheKeyboard() throws Exception {
        browser.go("#/dashboard");
        browser.awaitText("main h1", "Dashboard", Browser.WAIT);
        // Tab from the top: the skip link comes first and moves focus to the content.
        browser.find("body").sendKeys(Keys.TAB);
        assertEquals("skip-link", browser.driver().switchTo().activeElement().getDomAttribute("class"));
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        assertEquals("main", browser.driver().switchTo().activeElement().getDomAttribute("id"));
        assertTrue(browser.driver().getCurrentUrl().endsWith("#/dashboard"), "the skip link keeps the route");
        browser.go("#/volumes");
        WebElement create = browser.find("#create-volume-button");
        create.sendKeys(Keys.ENTER);
        WebElement name = browser.find("#create-volume-name");
        assertEquals(name, browser.driver().switchTo().activeElement(), "the dialog focuses its first field");
        name.sendKeys(Keys.ESCAPE);
        browser.waitFor(() -> browser.present("#create-volume") ? null : true, "the dialog to close");
        assertEquals("create-volume-button", browser.driver().switchTo().activeElement().getDomAttribute("id"),
                "focus goes back to the button that opened the dialog");
    }

    @Test
    void aStylesheetThatFailsToLoadIsAnErrorWhileARefusedApiRequestIsNot() throws Exception {
        browser.go("#/volumes");
        browser.find("#create-volume-button");
        assertEquals(404L, browser.script("return fetch('/v1/volumes/no-such-volume', { headers: { Authorization:"
                + " `Bearer ${sessionStorage.getItem('longhorn-token')}` } }).then((r) => r.status)"));
        browser.script("const l = document.createElement('link'); l.rel = 'stylesheet'; l.href = 'css/missing.css';"
                + " document.head.append(l);");
        List<String> errors = browser.waitFor(() -> {
            List<String> now = browser.scriptErrors();
            return now.stream().anyMatch(m -> m.contains("/css/missing.css")) ? now : null;
        }, "the failed stylesheet to be reported");
        assertEquals(1, errors.size(), "only the stylesheet counts, not the API's 404: " + errors);
        browser.clearScriptErrors();
    }

    @Test
    void theLogInPageRefusesAWrongTokenLetsTheRightOneInAndLoggingOutEndsTheSession() throws Exception {
        api("POST", "/v1/volumes", "{\"name\":\"login-vol\",\"size\":\"16Mi\",\"numberOfReplicas\":1}");
        browser.go("#/volumes");
        browser.awaitText("tr[data-volume=login-vol]", "detached", Browser.WAIT);
        browser.click("#logout-button");
        browser.find("#login-token");
        assertTrue(browser.present("body.signed-out"), "the app is out of the way while logged out");
        browser.screenshot("login");

        // A wrong token: refused, with the API's message, and still on the log-in page.
        browser.type("#login-token", "lh_not-a-token-of-this-manager");
        browser.click("#login-submit");
        browser.awaitText("#login-error", "wrong token", Browser.WAIT);
        assertTrue(browser.present("#login-token"));
        assertEquals(null, browser.script("return sessionStorage.getItem('longhorn-token')"));

        // The right one: the volume list.
        browser.type("#login-token", manager.token());
        browser.click("#login-submit");
        browser.waitFor(() -> browser.present("body.signed-out") ? null : true, "the log-in to be accepted");
        browser.awaitText("#user", "admin", Browser.WAIT);
        browser.go("#/volumes");
        browser.awaitText("tr[data-volume=login-vol]", "detached", Browser.WAIT);
        String session = (String) browser.script("return sessionStorage.getItem('longhorn-token')");
        assertFalse(session.equals(manager.token()), "the tab keeps a session token, not the admin token");
        assertEquals(200, sendAs(session, "GET", "/v1/volumes").statusCode());

        // Logging out revokes the session: the page is the log-in page and the token is refused.
        browser.click("#logout-button");
        browser.find("#login-token");
        assertEquals(null, browser.script("return sessionStorage.getItem('longhorn-token')"));
        assertEquals(401, sendAs(session, "GET", "/v1/volumes").statusCode());
        browser.go("#/volumes");
        browser.find("#login-token");
        assertFalse(browser.present("tr[data-volume=login-vol]"));
        api("DELETE", "/v1/volumes/login-vol", null);
    }

    private static HttpResponse<String> sendAs(String token, String method, String path) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(manager.url() + path)).header("Authorization",
                    "Bearer " + token).method(method, HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private void rowAction(String volume, String action) {
        browser.click("tr[data-volume='" + volume + "'] button.menu-button");
        browser.click(".menu button[data-action=" + action + "]");
    }

    private static List<String> volumeNames() throws Exception {
        List<String> names = new ArrayList<>();
        api("GET", "/v1/volumes", null).path("data").forEach(v -> names.add(v.path("name").asText()));
        return names;
    }

    private static JsonNode api(String method, String path, String body) {
        try {
            HttpResponse<String> r = send(method, path, body);
            return JSON.readTree(r.body());
        } catch (Exception e) {
            throw new IllegalStateException(method + " " + path + ": " + e.getMessage(), e);
        }
    }

    /** The message the API answers a bad request with (asserting it is refused). */
    private static String apiError(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        assertEquals(400, r.statusCode(), r.body());
        return JSON.readTree(r.body()).path("message").asText();
    }

    private static HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(manager.url() + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + manager.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
