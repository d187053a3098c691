package io.sentinel.common.rest;

import com.fasterxml.jackson.annotation.JsonInclude;

/** An RFC 9457 problem body, with the offending field as an extension member. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, String instance, String field) {
    public static final String MEDIA_TYPE = "application/problem+json";
    public static final String TYPE_BASE = "https://sentinel.example/problems/";
}
