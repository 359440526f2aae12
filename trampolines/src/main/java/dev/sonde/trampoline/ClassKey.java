package dev.sonde.trampoline;

/** A class as the JVM tells a transformer about it: defining loader (null: bootstrap) and internal name. */
record ClassKey(ClassLoader loader, String internalName) {
    static ClassKey of(Class<?> c) {
        return new ClassKey(c.getClassLoader(), c.getName().replace('.', '/'));
    }

    String binaryName() {
        return internalName.replace('/', '.');
    }
}
