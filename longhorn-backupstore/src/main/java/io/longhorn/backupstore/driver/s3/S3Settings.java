package io.longhorn.backupstore.driver.s3;

import io.longhorn.backupstore.error.InvalidInputException;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * Connection settings from Longhorn's backup target secret keys.
 *
 * @param accessKey {@code AWS_ACCESS_KEY_ID}, or null to use the SDK's default credential chain
 * @param secretKey {@code AWS_SECRET_ACCESS_KEY}
 * @param endpoint  {@code AWS_ENDPOINTS}, or null for AWS itself
 * @param caCertificates {@code AWS_CERT}: certificates trusted for the endpoint's TLS in addition
 *                  to the JDK's default trust store; empty when not set
 */
public record S3Settings(String accessKey, String secretKey, URI endpoint, List<X509Certificate> caCertificates) {
    public static final String ACCESS_KEY = "AWS_ACCESS_KEY_ID";
    public static final String SECRET_KEY = "AWS_SECRET_ACCESS_KEY";
    public static final String ENDPOINTS = "AWS_ENDPOINTS";
    public static final String CERT = "AWS_CERT";

    public S3Settings {
        caCertificates = caCertificates == null ? List.of() : List.copyOf(caCertificates);
    }

    /**
     * @throws InvalidInputException when AWS_ENDPOINTS is not a URL, only one key is set, or
     *                               AWS_CERT is set but not PEM certificates
     */
    public static S3Settings from(Map<String, String> values) {
        Map<String, String> v = values == null ? Map.of() : values;
        String access = blankToNull(v.get(ACCESS_KEY));
        String secret = blankToNull(v.get(SECRET_KEY));
        if ((access == null) != (secret == null)) {
            throw new InvalidInputException("S3 credentials are incomplete: set both " + ACCESS_KEY + " and "
                    + SECRET_KEY + ", or neither");
        }
        String ep = blankToNull(v.get(ENDPOINTS));
        URI endpoint = null;
        if (ep != null) {
            // Longhorn's secret may list several endpoints separated by commas; the first one is used.
            String first = ep.split(",")[0].trim();
            try {
                endpoint = URI.create(first);
            } catch (IllegalArgumentException e) {
                throw new InvalidInputException("invalid " + ENDPOINTS + " \"" + ep + "\": " + e.getMessage());
            }
            if (endpoint.getScheme() == null || endpoint.getHost() == null
                    || !(endpoint.getScheme().equals("http") || endpoint.getScheme().equals("https"))) {
                throw new InvalidInputException("invalid " + ENDPOINTS + " \"" + ep
                        + "\": expected http(s)://host[:port]");
            }
        }
        String cert = blankToNull(v.get(CERT));
        List<X509Certificate> cas = cert == null ? List.of() : CaCertificates.parse(cert);
        return new S3Settings(access, secret, endpoint, cas);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    public String endpointDescription() {
        return endpoint == null ? "AWS" : endpoint.toString();
    }

    @Override
    public String toString() {
        // never print the secret
        return "S3Settings[accessKey=" + accessKey + ", endpoint=" + endpointDescription()
                + ", caCertificates=" + caCertificates.size() + "]";
    }
}
