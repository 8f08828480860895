package io.longhorn.manager.testing.kube;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Starts a {@link KubeControlPlane} before a test class's first test and stops it after its last,
 * also when a test or the start-up failed:
 * {@code @RegisterExtension static final KubeControlPlaneExtension KUBE = new KubeControlPlaneExtension(false);}
 */
public final class KubeControlPlaneExtension implements BeforeAllCallback, AfterAllCallback {
    private final boolean controllerManager;
    private KubeControlPlane controlPlane;

    /** @param controllerManager whether to run kube-controller-manager too (garbage collection, namespaces) */
    public KubeControlPlaneExtension(boolean controllerManager) {
        this.controllerManager = controllerManager;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        controlPlane = KubeControlPlane.start(controllerManager);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (controlPlane != null) {
            controlPlane.close();
            controlPlane = null;
        }
    }

    public KubeControlPlane get() {
        if (controlPlane == null) {
            throw new IllegalStateException("the control plane is not running");
        }
        return controlPlane;
    }
}
