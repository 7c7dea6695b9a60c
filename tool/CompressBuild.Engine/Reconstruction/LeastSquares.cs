namespace CompressBuild.Engine.Reconstruction;

/// <summary>
/// Re-solves a layer after some of its input columns are gone: for every output row w (bias appended when the Gram
/// matrix carries the ones column) the kept weights become argmin ||X_S w' - X w||^2 = (H_SS + damp I)^-1 H_S w,
/// so the layer reproduces, on the calibration data, what it computed with every input. With a cross matrix
/// X_p^T X_o the target is the original model's output: (H_SS + damp I)^-1 (X_p^T X_o)_S w. Removed columns become 0.
/// </summary>
public static class LeastSquares
{
    /// <param name="gram">Symmetrized H over all columns (bias last when present).</param>
    /// <param name="rows">Row-major [outputs, gram.Size] weights (bias as the last column when present); rewritten in place.</param>
    /// <param name="kept">Columns that stay (ascending; the bias column included when present).</param>
    /// <param name="cross">X_p^T X_o against the original model's input, or null to fit the layer's own input (X_o = X_p).</param>
    public static void SolveKept(GramMatrix gram, GramMatrix? cross, double[] rows, int outputs, IReadOnlyList<int> kept, double relativeDamping) =>
        SolveKept(gram, rows, outputs, kept, relativeDamping, (w, o, a) => System.Numerics.Tensors.TensorPrimitives.Dot((cross ?? gram).Values.AsSpan(a * gram.Size, gram.Size), w));

    /// <summary>The same solve aiming at the original layer's output, given as X_p^T Y_o (<see cref="OutputCross"/>, for these rows' weights).</summary>
    public static void SolveKept(GramMatrix gram, OutputCross teacherOutput, double[] rows, int outputs, IReadOnlyList<int> kept, double relativeDamping) =>
        SolveKept(gram, rows, outputs, kept, relativeDamping, (_, o, a) => teacherOutput.Values[((long)a * teacherOutput.Outputs) + o]);

    private delegate double RightSide(ReadOnlySpan<double> w, int output, int column);

    private static void SolveKept(GramMatrix gram, double[] rows, int outputs, IReadOnlyList<int> kept, double relativeDamping, RightSide rightSide)
    {
        var n = gram.Size;
        var s = kept.Count;
        var h = gram.Values;
        var sub = new double[(long)s * s];
        HugePages.Advise(sub);
        for (var a = 0; a < s; a++)
        {
            for (var b = 0; b < s; b++)
            {
                sub[(a * s) + b] = h[(kept[a] * n) + kept[b]];
            }
        }

        var factor = Cholesky.Factor(sub, s, relativeDamping);
        var rhs = new double[s];
        for (var o = 0; o < outputs; o++)
        {
            var w = rows.AsSpan(o * n, n);
            for (var a = 0; a < s; a++)
            {
                rhs[a] = rightSide(w, o, kept[a]);
            }

            factor.Solve(rhs);
            w.Clear();
            for (var a = 0; a < s; a++)
            {
                w[kept[a]] = rhs[a];
            }
        }
    }
}
