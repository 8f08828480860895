package io.longhorn.engine.frontend.nbd;

/**
 * What the handshake settled for one connection.
 *
 * @param exportName         the export the client chose ("" for the default one)
 * @param size               the size reported to the client; requests are checked against it
 * @param transmissionFlags  the flags reported to the client
 * @param structuredReplies  whether the client negotiated structured replies
 */
record Negotiated(String exportName, long size, int transmissionFlags, boolean structuredReplies) {
}
