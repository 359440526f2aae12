package dev.sonde.probe.attach;

/** Methods to resolve: overloads, visibilities, constructors, an inner class, a bridge, abstract. */
@SuppressWarnings("unused")
class Shop implements Comparable<Shop> {
    private final long total;

    Shop() {
        this(0);
    }

    private Shop(long total) {
        this.total = total;
    }

    boolean pay(long amount, int times) {
        return amount > times;
    }

    public void pay(String voucher) {
    }

    private static int pay() {
        return 0;
    }

    protected long payLater(long when) {
        return when;
    }

    private String secret() {
        return "s";
    }

    /** Generates a bridge compareTo(Object). */
    @Override
    public int compareTo(Shop o) {
        return Long.compare(total, o.total);
    }

    static final class Line {
        Line(String sku, int qty) {
        }

        int qty() {
            return 1;
        }
    }

    abstract static class Tax {
        abstract long rate();

        long apply(long v) {
            return v * rate();
        }
    }

    interface Discount {
        long off(long v);
    }
}
