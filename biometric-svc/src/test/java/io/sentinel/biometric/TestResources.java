package io.sentinel.biometric;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.sentinel.common.testing.SentinelTestResource;

/** Every test of this module runs against the real PostgreSQL database biometric_test. */
@QuarkusTestResource(value = SentinelTestResource.class, initArgs = { @ResourceArg(name = "database", value = "biometric_test"), @ResourceArg(name = "service", value = "biometric-svc") })
public class TestResources {
}
