/**
 * What users can do, independent of how they ask (REST, recurring jobs, later CSI): validate the
 * request, refuse it with a typed error naming the field or object, and otherwise change desired
 * state in the store (controllers do the rest) or call the volume's engine for snapshot work.
 */
package io.longhorn.manager.service;
