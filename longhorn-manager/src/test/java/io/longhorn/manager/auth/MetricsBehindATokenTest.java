package io.longhorn.manager.auth;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;

import io.longhorn.manager.testing.TestTokens;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code longhorn.auth.metrics=token}: /metrics needs a token, any role's; /healthz still needs none. */
@QuarkusTest
@TestProfile(MetricsBehindATokenTest.Profile.class)
class MetricsBehindATokenTest {
    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("longhorn.auth.metrics", "token");
        }
    }

    @BeforeAll
    static void noDefaultToken() {
        TestTokens.restAssuredAnonymous();
    }

    @Test
    void metricsNeedATokenOfAnyRole() {
        given().get("/metrics").then().statusCode(401).body("code", containsString("Unauthorized"));
        String viewer = given().header("Authorization", "Bearer " + TestTokens.ADMIN)
                .contentType("application/json").body("{\"name\":\"scraper\",\"role\":\"viewer\"}")
                .post("/v1/tokens").then().statusCode(200).extract().path("token");
        given().header("Authorization", "Bearer " + viewer).get("/metrics").then().statusCode(200)
                .body(containsString("longhorn_api_refused_requests_total{reason=\"unauthenticated\"} 1"));
        given().get("/healthz").then().statusCode(200);
    }
}
