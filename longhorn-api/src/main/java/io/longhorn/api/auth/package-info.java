/**
 * Who may touch a volume: the per-volume secret ({@link io.longhorn.api.auth.VolumeSecret}) and
 * the two ways a connection proves it holds it without sending it: the mutual challenge-response
 * that opens a data connection ({@link io.longhorn.api.auth.DataAuth}) and the signed header of a
 * gRPC control call ({@link io.longhorn.api.auth.GrpcAuth}, checked by
 * {@link io.longhorn.api.auth.GrpcAuthServer}).
 */
package io.longhorn.api.auth;
