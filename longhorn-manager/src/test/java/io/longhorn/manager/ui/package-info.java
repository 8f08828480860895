/**
 * Browser tests of the web UI: Debian's headless Chromium, driven by Selenium through the system
 * chromedriver, against the packaged manager with real engines and replicas.
 */
package io.longhorn.manager.ui;
