package io.sentinel.common.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class AuthenticationFailuresTest {

    @Test
    void grpcMessagesArePercentEncodedAsTheSpecSays() {
        assertThat(AuthenticationFailures.percentEncode("agency 'x' is not served")).isEqualTo("agency 'x' is not served");
        assertThat(AuthenticationFailures.percentEncode("100% sure\n")).isEqualTo("100%25 sure%0A");
        assertThat(AuthenticationFailures.percentEncode("Wrecsam é")).isEqualTo("Wrecsam %C3%A9");
    }

    @Test
    void aRefusalCarriesItsReasonAndOtherFailuresNone() {
        assertThat(TokenRefusal.reason(TokenRefusal.of("the token's 'iat' is in the future"))).isEqualTo("the token's 'iat' is in the future");
        assertThat(TokenRefusal.reason(new io.quarkus.security.AuthenticationFailedException())).isNull();
        assertThat(TokenRefusal.reason(new IllegalStateException())).isNull();
    }
}
