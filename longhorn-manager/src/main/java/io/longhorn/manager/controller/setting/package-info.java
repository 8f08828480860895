/**
 * The setting controller: every known setting exists with its default, and the settings that
 * configure other resources (the default backup target) are carried over to them.
 */
package io.longhorn.manager.controller.setting;
