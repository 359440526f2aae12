package dev.sonde.agent.tools;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * A flame graph of counted stacks, drawn by Sonde itself as one SVG file that opens in a browser
 * (after Brendan Gregg's flamegraph.pl, written anew): one rectangle per frame, the root at the
 * bottom, each frame's width proportional to the count of the stacks through it, children sorted
 * by name (so the x axis is alphabetical, not time), a label clipped to the rectangle's width, and
 * a {@code <title>} on every frame that a browser shows on hover ("name (n samples, p %)"). Colours
 * come from a warm palette, fixed per frame name (a hash), so the same method has the same colour in
 * every graph. No script: the file is static and safe to open anywhere.
 */
final class FlameGraph {
    static final int WIDTH = 1200;
    static final int FRAME_HEIGHT = 16;
    static final int FONT_SIZE = 12;
    /** Average glyph width of the font at FONT_SIZE, for clipping labels (Verdana-like fonts: ~0.59 em). */
    static final double CHAR_WIDTH = FONT_SIZE * 0.59;
    static final int PAD = 10;
    static final int TOP = 2 * FRAME_HEIGHT + 12;
    /** Frames narrower than this many pixels are not drawn (they would be invisible). */
    static final double MIN_WIDTH = 0.1;

    private FlameGraph() {
    }

    /** A frame of the merged tree: its name, the count through it, its children by name. */
    static final class Node {
        final String name;
        long count;
        final TreeMap<String, Node> children = new TreeMap<>();

        Node(String name) {
            this.name = name;
        }
    }

    static Node tree(Map<List<String>, Long> stacks) {
        Node root = new Node("all");
        for (Map.Entry<List<String>, Long> e : stacks.entrySet()) {
            Node n = root;
            n.count += e.getValue();
            for (String f : e.getKey()) {
                n = n.children.computeIfAbsent(f, Node::new);
                n.count += e.getValue();
            }
        }
        return root;
    }

    static int depth(Node n) {
        int d = 0;
        for (Node c : n.children.values()) {
            d = Math.max(d, depth(c));
        }
        return d + 1;
    }

    /**
     * The SVG of {@code stacks} (root first), titled {@code title}; {@code unit} names what counts
     * are ("samples", "calls").
     */
    static String svg(StackCounts stacks, String title, String unit) {
        Node root = tree(stacks.counts());
        int levels = depth(root);
        int height = TOP + levels * FRAME_HEIGHT + 2 * PAD + FRAME_HEIGHT;
        double scale = root.count == 0 ? 0 : (double) (WIDTH - 2 * PAD) / root.count;
        StringBuilder b = new StringBuilder(4096);
        b.append("<?xml version=\"1.0\" standalone=\"no\"?>\n");
        b.append(String.format(Locale.ROOT, "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            + "xmlns=\"http://www.w3.org/2000/svg\">\n", WIDTH, height, WIDTH, height));
        b.append("<style>text { font-family: Verdana, 'DejaVu Sans', sans-serif; font-size: ").append(FONT_SIZE)
            .append("px; fill: #000; } .title { font-size: 17px; } .sub { fill: #555; } rect:hover { stroke: #000; stroke-width: 0.5; }</style>\n");
        b.append(String.format(Locale.ROOT, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f4e8\"/>\n", WIDTH, height));
        b.append(String.format(Locale.ROOT, "<text class=\"title\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            WIDTH / 2, FRAME_HEIGHT + 4, xml(title)));
        b.append(String.format(Locale.ROOT, "<text class=\"sub\" x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
            WIDTH / 2, 2 * FRAME_HEIGHT + 4, xml(root.count + " " + unit + ", " + stacks.counts().size()
                + " stacks; width = " + unit + ", hover a frame for its count")));
        int baseY = height - PAD - FRAME_HEIGHT;   // the root's row
        draw(b, root, PAD, baseY, scale, root.count, unit);
        b.append("</svg>\n");
        return b.toString();
    }

    private static void draw(StringBuilder b, Node n, double x, int y, double scale, long total, String unit) {
        double w = n.count * scale;
        if (w < MIN_WIDTH) {
            return;
        }
        String tip = String.format(Locale.ROOT, "%s (%d %s, %.2f%%)", n.name, n.count, unit, 100.0 * n.count / total);
        b.append("<g><title>").append(xml(tip)).append("</title>");
        b.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" rx=\"2\" fill=\"%s\"/>",
            x, y, Math.max(w - 0.5, 0.1), FRAME_HEIGHT - 1, n.name.equals("all") ? "#d0d0d0" : colour(n.name)));
        String label = clip(label(n.name), w);
        if (!label.isEmpty()) {
            b.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\">%s</text>", x + 3, y + FRAME_HEIGHT - 4, xml(label)));
        }
        b.append("</g>\n");
        double cx = x;
        for (Node c : n.children.values()) {
            draw(b, c, cx, y - FRAME_HEIGHT, scale, total, unit);
            cx += c.count * scale;
        }
    }

    /**
     * What a frame's rectangle shows: the method and its class's simple name
     * ({@code Catalog.lookup} for {@code dev.sonde.demo.Catalog.lookup}), since the package would
     * use up the width of most frames; the hover title has the whole name.
     */
    static String label(String name) {
        int paren = name.indexOf('(');
        String head = paren < 0 ? name : name.substring(0, paren);
        int method = head.lastIndexOf('.');
        if (method <= 0) {
            return name;
        }
        int cls = head.lastIndexOf('.', method - 1);
        return cls < 0 ? name : name.substring(cls + 1);
    }

    /** The label that fits in {@code width} pixels: the whole name, or its start and "..", or nothing. */
    static String clip(String name, double width) {
        int fit = (int) ((width - 6) / CHAR_WIDTH);
        if (fit >= name.length()) {
            return name;
        }
        if (fit < 3) {
            return "";
        }
        return name.substring(0, fit - 2) + "..";
    }

    /** A warm colour (red to yellow), fixed by the name's hash; Java frames a little greener than the JDK's. */
    static String colour(String name) {
        int h = name.hashCode();
        double v1 = ((h & 0xff) / 255.0);
        double v2 = (((h >>> 8) & 0xff) / 255.0);
        double v3 = (((h >>> 16) & 0xff) / 255.0);
        int r = 205 + (int) (50 * v3);
        int g = (int) (230 * v1);
        int bl = (int) (55 * v2);
        if (name.startsWith("java.") || name.startsWith("jdk.") || name.startsWith("sun.")) {
            r = 200 + (int) (55 * v3);
            g = 120 + (int) (100 * v1);
            bl = 40 + (int) (60 * v2);
        }
        return String.format(Locale.ROOT, "rgb(%d,%d,%d)", r, g, bl);
    }

    static String xml(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '&' -> b.append("&amp;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&apos;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                        b.append('?');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Names of the frames drawn, for tests: every node of the tree but the root. */
    static List<String> names(Node root) {
        List<String> out = new ArrayList<>();
        for (Node c : root.children.values()) {
            out.add(c.name);
            out.addAll(names(c));
        }
        return out;
    }
}
