package io.longhorn.backupstore.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 made by the JDK's {@code keytool}: a PKCS#12 key store
 * holding key and certificate (for a TLS server), and the certificate as PEM (what a client is
 * told to trust).
 *
 * @param keyStore the PKCS#12 file
 * @param password its password, also the key's
 * @param pem      the certificate, PEM-encoded
 */
public record SelfSignedCertificate(Path keyStore, String password, String pem) {

    /** Makes a new key pair and certificate {@code CN=<name>} for IP 127.0.0.1 in {@code dir}. */
    public static SelfSignedCertificate create(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        Path store = dir.resolve(name + ".p12");
        String password = "changeit-" + name;
        keytool(dir, "-genkeypair", "-alias", name, "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=" + name, "-ext", "san=ip:127.0.0.1", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", password, "-keypass", password);
        String pem = keytool(dir, "-exportcert", "-rfc", "-alias", name, "-keystore", store.toString(),
                "-storepass", password);
        if (!pem.contains("-----BEGIN CERTIFICATE-----")) {
            throw new IllegalStateException("keytool -exportcert printed no PEM certificate: " + pem);
        }
        return new SelfSignedCertificate(store, password, pem);
    }

    private static String keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(dir, "keytool-", ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                throw new IllegalStateException("keytool " + args[0] + " did not finish");
            }
            String text = Files.readString(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + text);
            }
            return text;
        } finally {
            p.destroyForcibly();
            Files.deleteIfExists(out);
        }
    }
}
