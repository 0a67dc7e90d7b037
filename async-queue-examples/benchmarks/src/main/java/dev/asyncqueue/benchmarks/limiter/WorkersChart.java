package dev.asyncqueue.benchmarks.limiter;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws a run with several worker processes as one PNG: each worker's limit, their sum and the farm's capacity
 * over time, with the kill and the add marked.
 */
final class WorkersChart {
    private static final int WIDTH = 1000;
    private static final int HEIGHT = 560;
    private static final Color[] WORKERS = {new Color(0x1F77B4), new Color(0xFF7F0E), new Color(0x2CA02C),
            new Color(0x9467BD), new Color(0x8C564B), new Color(0xE377C2), new Color(0x17BECF)};
    private static final Color SUM = new Color(0xD62728);
    private static final Color CAPACITY = Color.BLACK;
    private static final Color EVENT = new Color(0x7F7F7F);

    private WorkersChart() {
    }

    /** Renders the chart to {@code png}, headless. */
    static void write(WorkersResult run, Path png) throws IOException {
        System.setProperty("java.awt.headless", "true");
        List<WorkerSample> samples = run.samples();
        double xMax = Math.ceil(samples.isEmpty() ? 1 : samples.get(samples.size() - 1).seconds());
        int yMax = Math.max(samples.stream().mapToInt(WorkerSample::capacity).max().orElse(1),
                samples.stream().mapToInt(WorkerSample::total).max().orElse(1)) + 3;
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT)
                .title(run.workers() + " worker process" + (run.workers() == 1 ? "" : "es") + ": limits and capacity")
                .xAxisTitle("seconds since enqueueing began").yAxisTitle("concurrent calls").build();
        org.knowm.xchart.style.XYStyler styler = chart.getStyler();
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setPlotBackgroundColor(Color.WHITE);
        styler.setLegendPosition(Styler.LegendPosition.InsideNW);
        styler.setLegendBackgroundColor(new Color(255, 255, 255, 220));
        styler.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        styler.setXAxisMin(0.0);
        styler.setXAxisMax(xMax);
        styler.setYAxisMin(0.0);
        styler.setYAxisMax((double) yMax);

        double[] x = samples.stream().mapToDouble(WorkerSample::seconds).toArray();
        line(chart.addSeries("farm's capacity", x, samples.stream().mapToDouble(WorkerSample::capacity).toArray()),
                CAPACITY, 2.0f);
        line(chart.addSeries("sum of the limits", x, samples.stream().mapToDouble(WorkerSample::total).toArray()), SUM, 2.6f);
        line(chart.addSeries("calls running", x, samples.stream().mapToDouble(WorkerSample::running).toArray()),
                new Color(0xBCBD22), 1.0f);
        for (int i = 0; i < run.names().size(); i++) {
            String name = run.names().get(i);
            double[] xs = samples.stream().filter(s -> s.limits().containsKey(name)).mapToDouble(WorkerSample::seconds).toArray();
            double[] ys = samples.stream().filter(s -> s.limits().containsKey(name))
                    .mapToDouble(s -> s.limits().get(name)).toArray();
            if (xs.length == 0) continue;
            line(chart.addSeries(name + "'s limit", xs, ys), WORKERS[i % WORKERS.length], 1.6f);
        }
        run.killed().ifPresent(k -> event(chart, k + " killed", run.killAt(), yMax));
        run.added().ifPresent(a -> event(chart, a + " started", run.addAt(), yMax));
        Files.createDirectories(png.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private static void event(XYChart chart, String name, double at, int yMax) {
        XYSeries series = chart.addSeries(name, new double[] {at, at}, new double[] {0, yMax});
        line(series, EVENT, 1.4f);
        series.setLineStyle(new BasicStroke(1.4f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    }

    private static void line(XYSeries series, Color color, float width) {
        series.setMarker(SeriesMarkers.NONE);
        series.setLineColor(color);
        series.setLineWidth(width);
    }
}
