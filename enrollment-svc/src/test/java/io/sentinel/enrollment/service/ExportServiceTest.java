package io.sentinel.enrollment.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ExportServiceTest {
    final ObjectMapper mapper = new ObjectMapper();
    final ExportService exports = new ExportService(null, null, null, null, null, mapper, null);

    @Test
    void theCombinedAccessLogListsEveryServicesEntriesOldestFirstEachNamingItsService() throws Exception {
        ObjectNode doc = (ObjectNode) mapper.readTree("""
                {"subjectId":"s-1",
                 "enrollment-svc":{"access_log":[
                   {"service":"enrollment-svc","at":"2026-03-01T10:00:00Z","actor":"alice","agency_id":"uk-ho","action":"subject.read",
                    "purpose":"review","reference":"CASE-1"},
                   {"service":"enrollment-svc","at":"2026-03-01T10:00:00.500Z","actor":"pc-bob","agency_id":"police-a","action":"order.read",
                    "purpose":"joint case","reference":"JOINT-1"}]},
                 "rules-svc":{"alerts":[],"access_log":[
                   {"service":"rules-svc","at":"2026-03-01T09:59:59.999999Z","actor":"carol","agency_id":"uk-ho","action":"alert.read",
                    "purpose":"triage","reference":"CASE-1"}]},
                 "location-svc":{"access_log":[
                   {"at":"2026-03-01T10:00:00.250Z","actor":"dave","agency_id":"uk-ho","action":"trail.query","purpose":"curfew","reference":"CASE-2"}]},
                 "biometric-svc":{"access_log":[
                   {"service":"biometric-svc","at":"2026-03-01T11:00:00+01:00","actor":"erin","agency_id":"uk-ho","action":"photo.read",
                    "purpose":"review","reference":"CASE-3"}]}}""");

        JsonNode log = exports.combinedAccessLog(doc);

        List<String> seen = new ArrayList<>();
        log.forEach(e -> seen.add(e.get("service").asText() + " " + e.get("actor").asText()));
        // 11:00+01:00 is 10:00Z: ties keep the services' order; fractions sort by time, not as text.
        assertThat(seen).containsExactly("rules-svc carol", "enrollment-svc alice", "biometric-svc erin", "location-svc dave", "enrollment-svc pc-bob");
        assertThat(log.get(0).get("reference").asText()).isEqualTo("CASE-1");
    }

    @Test
    void aMissingPeerContributesNothingAndANonArrayIsIgnored() throws Exception {
        ObjectNode doc = (ObjectNode) mapper.readTree("""
                {"enrollment-svc":{"access_log":[{"service":"enrollment-svc","at":"2026-03-01T10:00:00Z","actor":"alice"}]},
                 "rules-svc":{"access_log":"not a list"}}""");
        JsonNode log = exports.combinedAccessLog(doc);
        assertThat(log.size()).isEqualTo(1);
        assertThat(log.get(0).get("actor").asText()).isEqualTo("alice");
    }
}
