package dev.caravan.cli;

/** The {@code caravan} command: the only {@code main()} of the project. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.out.println("caravan");
    }
}
