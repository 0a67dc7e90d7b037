package dev.asyncqueue.benchmarks.limiter;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * Draws the limiter scenario as one PNG of four panels: each run's limit, concurrency and replicas over
 * time, then the 429s and the completed invocations of both runs, on a common time axis.
 */
final class LimiterChart {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 500;
    private static final Color LIMIT = new Color(0xD62728);
    private static final Color RUNNING = new Color(0x1F77B4);
    private static final Color REPLICAS = new Color(0x2CA02C);
    private static final Color OFF = new Color(0xFF7F0E);
    private static final Color ON = new Color(0x9467BD);

    private LimiterChart() {
    }

    /** Renders the chart to {@code png}, headless. */
    static void write(LimiterScenarioResult off, LimiterScenarioResult on, FarmSettings farm, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        double xMax = Math.ceil(Math.max(lastSecond(off), lastSecond(on)));
        int peak = Math.max(on.peakLimit(), off.peakLimit());
        int perReplica = farm.callsPerReplica();
        // The replicas axis is the concurrency axis divided by the calls per replica, so the replicas
        // line also reads as the farm's capacity on the left axis.
        double replicasMax = Math.max(farm.maxReplicas() + 1, Math.ceil((peak + 2.0) / perReplica));
        double callsMax = replicasMax * perReplica;

        XYChart offPanel = runPanel(off, "Limiter off: 429s retried with back-off", xMax, callsMax, replicasMax, perReplica);
        XYChart onPanel = runPanel(on, "Limiter on (adaptive): 429s wait in the queue", xMax, callsMax, replicasMax, perReplica);
        XYChart rejected = comparePanel(off, on, "429s received (cumulative)", "429 answers", xMax, TimelinePoint::rejected);
        XYChart completed = comparePanel(off, on, "Invocations completed (cumulative)", "invocations", xMax,
                TimelinePoint::completed);
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(List.of(offPanel, onPanel, rejected, completed), 2, 2, png.toString(),
                BitmapEncoder.BitmapFormat.PNG);
    }

    private static double lastSecond(LimiterScenarioResult run) {
        return run.timeline().isEmpty() ? 1 : run.timeline().get(run.timeline().size() - 1).seconds();
    }

    private static XYChart runPanel(LimiterScenarioResult run, String title, double xMax, double callsMax, double replicasMax,
                                    int perReplica) {
        XYChart chart = base(title, "concurrent calls", xMax);
        chart.setYAxisGroupTitle(1, "replicas (x " + perReplica + " = capacity on the left axis)");
        chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        chart.getStyler().setYAxisMin(0, 0.0);
        chart.getStyler().setYAxisMax(0, callsMax);
        chart.getStyler().setYAxisMin(1, 0.0);
        chart.getStyler().setYAxisMax(1, replicasMax);
        List<TimelinePoint> points = run.timeline();
        double[] x = values(points, TimelinePoint::seconds);
        if (run.peakLimit() >= 0) {
            line(chart.addSeries("limiter's limit", x, values(points, TimelinePoint::limit)), LIMIT, 2.2f);
        }
        line(chart.addSeries("calls running in the function", x, values(points, TimelinePoint::running)), RUNNING, 1.2f);
        XYSeries replicas = chart.addSeries("replicas (right axis)", x, values(points, TimelinePoint::replicas));
        replicas.setYAxisGroup(1);
        line(replicas, REPLICAS, 2.2f);
        return chart;
    }

    private static XYChart comparePanel(LimiterScenarioResult off, LimiterScenarioResult on, String title, String yTitle, double xMax,
                                        ToDoubleFunction<TimelinePoint> value) {
        XYChart chart = base(title, yTitle, xMax);
        chart.getStyler().setYAxisMin(0.0);
        line(chart.addSeries(off.label(), values(off.timeline(), TimelinePoint::seconds), values(off.timeline(), value)),
                OFF, 2.2f);
        line(chart.addSeries(on.label(), values(on.timeline(), TimelinePoint::seconds), values(on.timeline(), value)),
                ON, 2.2f);
        return chart;
    }

    private static XYChart base(String title, String yTitle, double xMax) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title)
                .xAxisTitle("seconds since the worker started").yAxisTitle(yTitle).build();
        Styler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideSE);
        styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setXAxisMin(0.0);
        chart.getStyler().setXAxisMax(xMax);
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        return chart;
    }

    private static void line(XYSeries series, Color color, float width) {
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setLineWidth(width);
    }

    private static double[] values(List<TimelinePoint> points, ToDoubleFunction<TimelinePoint> value) {
        double[] out = new double[points.size()];
        for (int i = 0; i < out.length; i++) out[i] = value.applyAsDouble(points.get(i));
        return out;
    }
}
