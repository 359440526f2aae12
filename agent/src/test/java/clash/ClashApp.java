package clash;

import net.bytebuddy.ByteBuddy;
import net.bytebuddy.dynamic.loading.ClassLoadingStrategy;

/**
 * An application with its own Byte Buddy (an older one, on its class path): it generates a class
 * with it and prints where its Byte Buddy came from, then calls {@link #work} a known number of
 * times for the agent's probe to count.
 */
public final class ClashApp {
    private ClashApp() {
    }

    static int work(int i) {
        return i + 1;
    }

    public static void main(String[] args) throws Exception {
        Class<?> made = new ByteBuddy().subclass(Object.class).name("clash.Made")
            .make().load(ClashApp.class.getClassLoader(), ClassLoadingStrategy.Default.WRAPPER).getLoaded();
        System.out.println("made " + made.getName() + " with Byte Buddy from "
            + ByteBuddy.class.getProtectionDomain().getCodeSource().getLocation());
        int n = Integer.parseInt(args[0]);
        long sum = 0;
        for (int i = 0; i < n; i++) {
            sum += work(i);
        }
        System.out.println("sum " + sum);
    }
}
