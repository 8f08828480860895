package io.longhorn.manager.launcher.pod;

import java.util.Optional;
import java.util.function.Function;

/**
 * What the pod launcher needs to know.
 *
 * @param namespace      where the Pods go (Longhorn's namespace)
 * @param engineImage    the engine service's image
 * @param replicaImage   the replica service's image
 * @param serviceAccount the Pods' service account (they call nothing: the default is fine too)
 * @param pullPolicy     the Pods' image pull policy
 * @param nodeName       the node this manager runs on (it removes replica data there itself)
 */
public record PodLauncherOptions(String namespace, String engineImage, String replicaImage, String serviceAccount,
                                 String pullPolicy, String nodeName) {
    /** The images' repository prefix; the build tags each service's image {@code longhorn-java/longhorn-<service>}. */
    public static final String IMAGE_PREFIX = "longhorn-java/longhorn-";

    /** {@code longhorn-java/longhorn-<service>:<version>}, as the image build tags it. */
    public static String defaultImage(String service, String version) {
        return IMAGE_PREFIX + service + ":" + version;
    }

    /**
     * Options from configuration keys {@code longhorn.image.engine}, {@code longhorn.image.replica},
     * {@code longhorn.image.pull-policy} (default {@code IfNotPresent}), with the images of
     * {@code version} by default.
     */
    public static PodLauncherOptions from(Function<String, Optional<String>> config, String namespace, String version,
                                          String nodeName) {
        return new PodLauncherOptions(namespace,
                config.apply("longhorn.image.engine").orElse(defaultImage("engine", version)),
                config.apply("longhorn.image.replica").orElse(defaultImage("replica", version)),
                "longhorn-service-account",
                config.apply("longhorn.image.pull-policy").orElse("IfNotPresent"),
                nodeName);
    }
}
