package io.longhorn.csi;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.net.InetAddress;
import java.util.List;

/** {@code longhorn-csi --endpoint unix:///csi/csi.sock --manager-url http://HOST:9500/v1 ...}: serves until stopped. */
@QuarkusMain
public class CsiMain implements QuarkusApplication {
    public static void main(String... args) {
        try {
            CsiOptions.parse(List.of(args), hostName());
        } catch (IllegalArgumentException e) {
            System.err.println("longhorn-csi: " + e.getMessage());
            System.err.println(CsiOptions.USAGE);
            System.exit(2);
        } catch (CsiOptions.HelpException e) {
            System.out.println(CsiOptions.USAGE);
            return;
        }
        Quarkus.run(CsiMain.class, args);
    }

    static String hostName() {
        String env = System.getenv("NODE_NAME");
        if (env != null && !env.isEmpty()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public int run(String... args) throws Exception {
        CsiOptions o = CsiOptions.parse(List.of(args), hostName());
        try (CsiServer server = CsiServer.start(o)) {
            Quarkus.waitForExit();
        }
        return 0;
    }
}
