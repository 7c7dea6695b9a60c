namespace CompressBuild.Engine.Onnx;

/// <summary>The files a loaded model is read from: the model file itself and every external data file it names.</summary>
public static class ModelFiles
{
    public static IReadOnlyList<string> ReadBy(OnnxModel model)
    {
        var files = new List<string>();
        if (model.SourcePath is { } source)
        {
            files.Add(source);
        }

        if (model.BaseDirectory is null)
        {
            return files;
        }

        foreach (var tensor in ModelTensors.All(model.Proto))
        {
            if (ExternalDataReference.IsExternal(tensor))
            {
                var reference = ExternalDataReference.Parse(tensor, model.DisplayName);
                var path = ConfinedPath.Resolve(model.BaseDirectory, reference.Location, model.DisplayName);
                if (!files.Contains(path))
                {
                    files.Add(path);
                }
            }
        }

        return files;
    }
}
