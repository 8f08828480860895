/**
 * The controllers: one idempotent reconciler per resource kind, depending only on the resource
 * store and the instance launcher ports (plus the engine and backup clients, which reach addresses
 * and so work in any runtime). {@link io.longhorn.manager.controller.Controllers} wires them to the
 * store's change events; the decisions they make are pure functions with their own tests.
 */
package io.longhorn.manager.controller;
