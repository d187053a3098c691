package io.sentinel.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

class ChartVersionTest {

    @Test
    void appVersionEqualsTheRootPomVersion() {
        Map<String, Object> chart = chartYaml();

        assertEquals(rootPomVersion(), chart.get("appVersion"),
                "Chart.yaml appVersion is the default image tag, which Quarkus derives from the Maven version");
    }

    @Test
    void chartVersionIsSemanticVersion() {
        Object version = chartYaml().get("version");

        assertFalse(String.valueOf(version).isBlank());
        assertEquals(true, String.valueOf(version).matches("\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?"), "version " + version);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> chartYaml() {
        return (Map<String, Object>) KubernetesYaml.parseTree(SentinelChart.read(SentinelChart.chartDir().resolve("Chart.yaml")));
    }

    /** project/version of the root pom (not a parent's or a dependency's). */
    static String rootPomVersion() {
        Path pom = SentinelChart.repoRoot().resolve("pom.xml");
        try {
            var factory = DocumentBuilderFactory.newInstance();
            factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Element project = factory.newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            for (Node child = project.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element element && "version".equals(element.getTagName())) {
                    return element.getTextContent().trim();
                }
            }
            throw new IllegalStateException(pom + " has no project/version");
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the version of " + pom + ": " + e.getMessage(), e);
        }
    }
}
