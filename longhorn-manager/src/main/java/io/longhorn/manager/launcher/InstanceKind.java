package io.longhorn.manager.launcher;

/** What an instance is. */
public enum InstanceKind { ENGINE, REPLICA }
