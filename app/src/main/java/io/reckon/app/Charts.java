package io.reckon.app;

import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.IChart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The report's charts, drawn by XChart and embedded in the page as PNG data URIs so that the
 * page is one self-contained file. Missing points (NaN) are left out of a series, never drawn as 0.
 */
public final class Charts {
  private Charts() {}

  /** One line (or set of points) of an XY chart. */
  record Line(String name, double[] x, double[] y, Style style) {}

  enum Style { SOLID, DASHED, POINTS }

  static XYChart xy(String title, String xTitle, String yTitle, boolean logX, int width, int height) {
    XYChart chart = new XYChartBuilder().width(width).height(height).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setXAxisLogarithmic(logX);
    chart.getStyler().setXAxisLogarithmicDecadeOnly(false);
    chart.getStyler().setLegendPosition(
        width >= 700 ? Styler.LegendPosition.OutsideE : Styler.LegendPosition.InsideSE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setMarkerSize(6);
    chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    chart.getStyler().setYAxisDecimalPattern("0.00");
    chart.getStyler().setXAxisDecimalPattern("0.##");
    return chart;
  }

  /** Adds the line's defined points; returns false when it has none (and adds nothing). */
  static boolean add(XYChart chart, Line line) {
    List<Double> xs = new ArrayList<>();
    List<Double> ys = new ArrayList<>();
    for (int i = 0; i < line.x().length; i++) {
      if (!Double.isNaN(line.x()[i]) && !Double.isNaN(line.y()[i]) && line.x()[i] > 0) {
        xs.add(line.x()[i]);
        ys.add(line.y()[i]);
      }
    }
    if (xs.isEmpty()) {
      return false;
    }
    XYSeries s = chart.addSeries(line.name(), xs, ys);
    switch (line.style()) {
      case SOLID -> s.setMarker(SeriesMarkers.CIRCLE);
      case DASHED -> {
        s.setLineStyle(SeriesLines.DASH_DASH);
        s.setMarker(SeriesMarkers.DIAMOND);
      }
      case POINTS -> {
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        s.setMarker(SeriesMarkers.SQUARE);
      }
    }
    return true;
  }

  static CategoryChart bars(String title, String xTitle, String yTitle, int width, int height) {
    CategoryChart chart = new CategoryChartBuilder().width(width).height(height).title(title)
        .xAxisTitle(xTitle).yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    chart.getStyler().setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    return chart;
  }

  /** A drawn chart: its PNG as a data URI, or why it could not be drawn. */
  public record Image(String alt, String dataUri, String failure) {}

  /**
   * The chart as a PNG data URI; where the JVM cannot draw (no fonts on a headless machine), the
   * reason instead, so the tables still make a report.
   */
  static Image image(IChart chart, String alt) {
    try {
      System.setProperty("java.awt.headless", "true");
      byte[] png = BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG);
      return new Image(alt, "data:image/png;base64," + Base64.getEncoder().encodeToString(png), null);
    } catch (Exception | LinkageError e) {
      return new Image(alt, null, e.toString());
    }
  }
}
