package io.sentinel.enrollment;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.sentinel.common.testing.SentinelTestResource;

/** Every test of this module runs against the real PostgreSQL database enrollment_test. */
@QuarkusTestResource(value = SentinelTestResource.class, initArgs = { @ResourceArg(name = "database", value = "enrollment_test"), @ResourceArg(name = "service", value = "enrollment-svc") })
public class TestResources {
}
