package dev.sonde.agent.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** The flame graph's SVG and the folded format, from counted stacks known exactly. */
class FlameGraphTest {
    private static StackCounts stacks() {
        StackCounts c = new StackCounts();
        c.add(List.of("main", "serve", "lookup"), 60);
        c.add(List.of("main", "serve", "restock"), 20);
        c.add(List.of("main", "idle"), 20);
        c.add(List.of("main", "serve", "lookup"), 0);   // no count, no frame
        return c;
    }

    @Test
    void foldedLinesAreSortedStacksWithTheirCounts() {
        assertEquals(List.of("main;idle 20", "main;serve;lookup 60", "main;serve;restock 20"), stacks().folded());
        StackCounts odd = new StackCounts();
        odd.add(List.of("a;b", "c d"), 1);
        assertEquals(List.of("a:b;c d 1"), odd.folded(), "a ';' in a name would split a frame");
    }

    @Test
    void theSvgParsesAndEachFrameIsARectangleWidthByCountWithAHoverTitle() throws Exception {
        String svg = FlameGraph.svg(stacks(), "test <graph> & co", "samples");
        Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(new InputSource(new StringReader(svg)));
        Element root = d.getDocumentElement();
        assertEquals("svg", root.getTagName());
        assertEquals("http://www.w3.org/2000/svg", root.getAttribute("xmlns"));
        Map<String, Double> widths = new HashMap<>();
        NodeList groups = d.getElementsByTagName("g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            String title = g.getElementsByTagName("title").item(0).getTextContent();
            Element rect = (Element) g.getElementsByTagName("rect").item(0);
            widths.put(title.substring(0, title.indexOf(' ')), Double.parseDouble(rect.getAttribute("width")));
            if (title.startsWith("lookup ")) {
                assertEquals("lookup (60 samples, 60.00%)", title);
                assertEquals("lookup", g.getElementsByTagName("text").item(0).getTextContent(), "a wide frame shows its whole name");
            }
        }
        assertEquals(List.of("all", "idle", "lookup", "main", "restock", "serve").stream().sorted().toList(),
            widths.keySet().stream().sorted().toList());
        double unit = widths.get("all") / 100;
        assertEquals(60 * unit, widths.get("lookup"), 1.0);
        assertEquals(80 * unit, widths.get("serve"), 1.0);
        assertEquals(20 * unit, widths.get("idle"), 1.0);
        assertTrue(svg.contains("test &lt;graph&gt; &amp; co"), "the title is escaped");
    }

    @Test
    void labelsAreClippedToTheirRectangles() {
        assertEquals("dev.sonde.demo.Catalog.lookup", FlameGraph.clip("dev.sonde.demo.Catalog.lookup", 400));
        String c = FlameGraph.clip("dev.sonde.demo.Catalog.lookup", 80);
        assertTrue(c.endsWith("..") && c.length() * FlameGraph.CHAR_WIDTH <= 80, c);
        assertEquals("", FlameGraph.clip("dev.sonde.demo.Catalog.lookup", 20), "too narrow for a label");
    }

    @Test
    void labelsNameTheClassByItsSimpleName() {
        assertEquals("Catalog.lookup", FlameGraph.label("dev.sonde.demo.Catalog.lookup"));
        assertEquals("Formatter$FormatSpecifier.print", FlameGraph.label("java.util.Formatter$FormatSpecifier.print"));
        assertEquals("Workload.price", FlameGraph.label("Workload.price"), "the default package");
        assertEquals("[deeper frames not kept]", FlameGraph.label(StackReport.TRUNCATED));
    }

    @Test
    void aNameHasOneColourInEveryGraph() {
        assertEquals(FlameGraph.colour("a.B.c"), FlameGraph.colour("a.B.c"));
        assertTrue(FlameGraph.colour("a.B.c").matches("rgb\\(\\d+,\\d+,\\d+\\)"));
    }
}
