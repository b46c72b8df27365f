package dev.strata.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar on a terminal, nothing otherwise (or with {@code --no-progress}): scripts and logs
 * never see bar redraws.
 */
final class Progress implements AutoCloseable {
  private final ProgressBar bar;

  private Progress(ProgressBar bar) {
    this.bar = bar;
  }

  static boolean onTerminal(GlobalOptions global) {
    // Since JDK 22 System.console() exists even when redirected; isTerminal() tells.
    @SuppressWarnings("SystemConsoleNull")
    java.io.Console console = System.console();
    return !global.noProgress && console != null && console.isTerminal();
  }

  static Progress start(GlobalOptions global, String task, long total, String unit) {
    if (!onTerminal(global)) {
      return new Progress(null);
    }
    ProgressBarBuilder builder =
        new ProgressBarBuilder()
            .setTaskName(task)
            .setInitialMax(total)
            .setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
            .continuousUpdate();
    if (unit.equals("B")) {
      builder.setUnit(" MB", 1_000_000).showSpeed();
    }
    return new Progress(builder.build());
  }

  void stepTo(long value) {
    if (bar != null) {
      bar.stepTo(value);
    }
  }

  void stepBy(long value) {
    if (bar != null) {
      bar.stepBy(value);
    }
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
    }
  }
}
