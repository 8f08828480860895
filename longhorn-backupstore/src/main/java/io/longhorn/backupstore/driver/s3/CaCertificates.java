package io.longhorn.backupstore.driver.s3;

import io.longhorn.backupstore.error.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The trust material of {@code AWS_CERT}: the PEM certificate(s) of the CA (or the self-signed
 * certificate) an S3-compatible store's TLS certificate chains to. They are trusted in addition to
 * the JDK's default trust store, by the one client of the target that names them; nothing
 * process-wide changes.
 */
public final class CaCertificates {
    /** Any PEM block: its label, its body, and its end label (which must match). */
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END ([A-Z0-9 ]+)-----", Pattern.DOTALL);
    private static final String CERTIFICATE = "CERTIFICATE";

    private CaCertificates() {
    }

    /**
     * Parses the certificates of a PEM text. Text around the blocks (such as the {@code subject=}
     * lines openssl prints) is ignored; every block must be a {@code CERTIFICATE}.
     *
     * @throws InvalidInputException naming {@code AWS_CERT} when the text holds no certificate, a
     *                               block that is not a certificate, or a certificate that does not parse
     */
    public static List<X509Certificate> parse(String pem) {
        String text = pem == null ? "" : pem;
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        List<X509Certificate> certs = new ArrayList<>();
        Matcher m = BLOCK.matcher(text);
        int end = 0;
        while (m.find()) {
            int n = certs.size() + 1;
            if (!m.group(1).equals(m.group(3))) {
                throw invalid("block " + n + " begins as " + m.group(1) + " but ends as " + m.group(3));
            }
            if (!CERTIFICATE.equals(m.group(1))) {
                throw invalid("block " + n + " is a " + m.group(1) + ", expected only CERTIFICATE blocks");
            }
            byte[] der;
            try {
                der = Base64.getMimeDecoder().decode(m.group(2).strip());
            } catch (IllegalArgumentException e) {
                throw invalid("certificate " + n + " is not valid base64: " + e.getMessage());
            }
            try {
                certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der)));
            } catch (CertificateException | ClassCastException e) {
                throw invalid("certificate " + n + " is not a valid X.509 certificate: " + e.getMessage());
            }
            end = m.end();
        }
        if (text.indexOf("-----BEGIN", end) >= 0) {
            throw invalid("a PEM block after certificate " + certs.size() + " has no matching -----END line");
        }
        if (certs.isEmpty()) {
            throw invalid("it holds no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----)");
        }
        return List.copyOf(certs);
    }

    /**
     * A trust manager that trusts what the JDK's default trust store trusts, and the given
     * certificates as trust anchors too.
     */
    public static X509TrustManager trustManager(List<X509Certificate> extra) {
        try {
            X509TrustManager jdk = x509(factory(null));
            KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            anchors.load(null, null);
            int i = 0;
            for (X509Certificate c : jdk.getAcceptedIssuers()) {
                anchors.setCertificateEntry("default-" + i++, c);
            }
            for (X509Certificate c : extra) {
                anchors.setCertificateEntry(S3Settings.CERT.toLowerCase(java.util.Locale.ROOT) + "-" + i++, c);
            }
            return x509(factory(anchors));
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build the trust store for " + S3Settings.CERT + ": " + e.getMessage(), e);
        }
    }

    private static TrustManagerFactory factory(KeyStore anchors) throws GeneralSecurityException {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(anchors);
        return f;
    }

    private static X509TrustManager x509(TrustManagerFactory f) {
        for (TrustManager tm : f.getTrustManagers()) {
            if (tm instanceof X509TrustManager x) {
                return x;
            }
        }
        throw new IllegalStateException("the JDK's " + f.getAlgorithm() + " trust manager factory has no X.509 trust manager");
    }

    private static InvalidInputException invalid(String why) {
        return new InvalidInputException("invalid " + S3Settings.CERT + ": " + why);
    }
}
