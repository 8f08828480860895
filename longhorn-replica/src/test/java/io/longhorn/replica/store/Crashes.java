package io.longhorn.replica.store;

/**
 * Stops a replica in the middle of a multi-file change, leaving its files exactly as a killed
 * process would (a process crash loses nothing in the page cache), for tests of {@link Replica#open}'s
 * recovery.
 */
final class Crashes {
    private Crashes() {
    }

    /** Thrown where the process "dies"; an Error, so no cleanup path of the store catches it. */
    static final class SimulatedCrash extends Error {
        SimulatedCrash(String step) {
            super("simulated crash at " + step, null, false, false);
        }
    }

    /**
     * Runs {@code change}; when it reaches step {@code at}, the replica is abandoned there.
     *
     * @return whether the change reached {@code at} (and so was interrupted)
     */
    static boolean crashAt(Replica r, String at, Runnable change) {
        r.steps(step -> {
            if (step.equals(at)) {
                throw new SimulatedCrash(step);
            }
        });
        try {
            change.run();
            r.steps(null);
            return false;
        } catch (SimulatedCrash c) {
            r.abandon();
            return true;
        }
    }
}
