package io.sentinel.rules;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.ResourceArg;
import io.sentinel.common.testing.SentinelTestResource;

/** Every test of this module runs against the real PostgreSQL database rules_test. */
@QuarkusTestResource(value = SentinelTestResource.class, initArgs = { @ResourceArg(name = "database", value = "rules_test"), @ResourceArg(name = "service", value = "rules-svc") })
public class TestResources {
}
