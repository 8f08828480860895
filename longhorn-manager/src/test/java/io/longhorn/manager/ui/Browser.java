package io.longhorn.manager.ui;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * Debian's headless Chromium driven through its own chromedriver (never a downloaded browser), in a
 * fresh profile, with helpers that wait for the page instead of sleeping.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    static final Duration WAIT = Duration.ofSeconds(20);

    private final ChromeDriver driver;
    private final Path profile;
    private final String baseUrl;
    private final List<String> scriptErrors = new java.util.ArrayList<>();

    private Browser(ChromeDriver driver, Path profile, String baseUrl) {
        this.driver = driver;
        this.profile = profile;
        this.baseUrl = baseUrl;
    }

    /** Whether the Debian browser and its driver are installed (bin/test-all installs them). */
    static boolean installed() {
        return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    static Browser open(String baseUrl) throws IOException {
        Path profile = Files.createTempDirectory("ui-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1400,1000", "--lang=en-US");
        // The page's console, to fail a test on a script error.
        options.setCapability("goog:loggingPrefs", java.util.Map.of("browser", "ALL"));
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
        ChromeDriver driver = new ChromeDriver(service, options);
        driver.manage().window().setSize(new Dimension(1400, 1000));
        return new Browser(driver, profile, baseUrl);
    }

    /**
     * Logs in on the log-in page with the token; the tab keeps the session (sessionStorage) across
     * {@link #go} until it logs out.
     */
    void signIn(String token) {
        go("");
        type("#login-token", token);
        click("#login-submit");
        waitFor(() -> present("body.signed-out") ? null : true, "the log-in to be accepted");
        // Off the app, so that the next go() loads it afresh (as a first visit would), still signed in.
        drainLog();
        driver.get("about:blank");
    }

    /** Opens a route of the single-page app, e.g. {@code "#/volumes"}. */
    void go(String hash) {
        drainLog();
        driver.get(baseUrl + "/" + hash);
    }

    ChromeDriver driver() {
        return driver;
    }

    void resize(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** The one element the selector finds, once it is displayed. */
    WebElement find(String css) {
        return waitFor(() -> {
            List<WebElement> found = driver.findElements(By.cssSelector(css));
            return found.size() == 1 && found.getFirst().isDisplayed() ? found.getFirst() : null;
        }, "a single displayed element " + css);
    }

    /** Waits until the element is displayed, then clicks it (re-finding it if the page re-rendered). */
    void click(String css) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> find(css).click());
    }

    /** Clears a field and types into it. */
    void type(String css, String text) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).ignoreExceptions().untilAsserted(() -> {
            WebElement e = find(css);
            e.clear();
            e.sendKeys(text);
            // A re-render between clear and typing would leave a mix: then type again.
            org.junit.jupiter.api.Assertions.assertEquals(text, e.getDomProperty("value"));
        });
    }

    /** The displayed text of the element, or "" while it is missing. */
    String text(String css) {
        List<WebElement> found = driver.findElements(By.cssSelector(css));
        try {
            return found.isEmpty() ? "" : found.getFirst().getText();
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return "";
        }
    }

    /** Whether some element the selector finds is displayed. */
    boolean displayed(String css) {
        return driver.findElements(By.cssSelector(css)).stream().anyMatch(WebElement::isDisplayed);
    }

    boolean present(String css) {
        return !driver.findElements(By.cssSelector(css)).isEmpty();
    }

    /** Waits until the supplier returns non-null (exceptions while the page re-renders count as not yet). */
    <T> T waitFor(Supplier<T> what, String description) {
        return waitFor(what, description, WAIT);
    }

    <T> T waitFor(Supplier<T> what, String description, Duration atMost) {
        Object[] holder = new Object[1];
        await(description).atMost(atMost).pollInterval(Duration.ofMillis(150)).ignoreExceptions().until(() -> {
            holder[0] = what.get();
            return holder[0] != null;
        });
        @SuppressWarnings("unchecked")
        T result = (T) holder[0];
        return result;
    }

    /** Waits until the element's text contains the given text. */
    void awaitText(String css, String expected, Duration atMost) {
        waitFor(() -> text(css).contains(expected) ? Boolean.TRUE : null,
                "\"" + expected + "\" in " + css + " (now: \"" + text(css) + "\")", atMost);
    }

    /** Script errors the pages logged (uncaught exceptions, console errors, failed module loads). */
    List<String> scriptErrors() {
        drainLog();
        return List.copyOf(scriptErrors);
    }

    /** Forgets the errors collected so far (after a test provoked one on purpose). */
    void clearScriptErrors() {
        drainLog();
        scriptErrors.clear();
    }

    /** Reads the browser's log before it is lost (a navigation starts a new one). */
    private void drainLog() {
        driver.manage().logs().get(org.openqa.selenium.logging.LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
                .map(org.openqa.selenium.logging.LogEntry::getMessage)
                .filter(m -> !refusedApiRequest(m))
                .forEach(scriptErrors::add);
    }

    private static final java.util.regex.Pattern FAILED_REQUEST = java.util.regex.Pattern.compile(
            "^(\\S+) - Failed to load resource: the server responded with a status of (\\d{3})");

    /**
     * Whether the message is the browser's note of an API request the manager answered with 4xx:
     * the tests provoke those on purpose (invalid sizes, refused settings) and the pages show them.
     * Any other failed request (a script, stylesheet or image of the manager's that does not load, an
     * API request that failed with 5xx or not at all, a request elsewhere) stays an error.
     */
    boolean refusedApiRequest(String message) {
        java.util.regex.Matcher m = FAILED_REQUEST.matcher(message);
        if (!m.find() || !m.group(1).startsWith(baseUrl + "/v1/")) {
            return false;
        }
        int status = Integer.parseInt(m.group(2));
        return status >= 400 && status < 500;
    }

    Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** Saves a screenshot of the page as {@code target/ui-screenshots/<name>.png}. */
    Path screenshot(String name) throws IOException {
        Files.createDirectories(SCREENSHOTS);
        File shot = driver.getScreenshotAs(OutputType.FILE);
        Path target = SCREENSHOTS.resolve(name + ".png");
        Files.copy(shot.toPath(), target, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    /** A screenshot of the whole page height, not only the window. */
    Path fullPageScreenshot(String name, int width) throws IOException {
        Number height = (Number) script("return Math.ceil(document.documentElement.scrollHeight)");
        Dimension before = driver.manage().window().getSize();
        resize(width, Math.min(4000, Math.max(600, height.intValue() + 140)));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var walk = Files.walk(profile)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }
}
