package io.sentinel.location;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.sentinel.common.testing.SentinelTestResource;

/** Every test of this module runs against the real PostgreSQL database location_test. */
@QuarkusTestResource(value = SentinelTestResource.class, initArgs = { @ResourceArg(name = "database", value = "location_test"), @ResourceArg(name = "service", value = "location-svc") })
public class TestResources {
}
