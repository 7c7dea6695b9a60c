using CompressBuild.Testing;

namespace CompressBuild.EndToEnd.Tests;

/// <summary>Writes small projects that consume the CompressBuild package, with the digits fixtures beside them.</summary>
internal static class GeneratedProject
{
    /// <summary>The fixtures the projects use, copied into <c>Models/</c> and <c>Data/</c>.</summary>
    public static void CopyFixtures(string folder)
    {
        Directory.CreateDirectory(Path.Combine(folder, "Models"));
        Directory.CreateDirectory(Path.Combine(folder, "Data"));
        File.Copy(Path.Combine(RepositoryPaths.Digits, "mlp.onnx"), Path.Combine(folder, "Models", "mlp.onnx"), overwrite: true);
        foreach (var data in new[] { "test_x_flat.npy", "test_labels.npy", "calib_x_flat.npy" })
        {
            File.Copy(Path.Combine(RepositoryPaths.Digits, data), Path.Combine(folder, "Data", data), overwrite: true);
        }
    }

    /// <summary>A console app referencing CompressBuild, with <paramref name="items"/> in an ItemGroup starting on line 8.</summary>
    public static string Write(string folder, string name, string items, string properties = "")
    {
        Directory.CreateDirectory(folder);
        var project = Path.Combine(folder, name + ".csproj");
        File.WriteAllText(project, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>{properties}
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="CompressBuild" Version="0.1.0" PrivateAssets="all" />
            {items}
              </ItemGroup>
            </Project>
            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        File.WriteAllText(Path.Combine(folder, "Program.cs"), "System.Console.WriteLine(\"ok\");\n");
        return project;
    }

    /// <summary>The 1-based line of the first line of <paramref name="file"/> containing <paramref name="text"/>.</summary>
    public static int LineOf(string file, string text) =>
        Array.FindIndex(File.ReadAllLines(file), l => l.Contains(text, StringComparison.Ordinal)) + 1;

    /// <summary>The 1-based column where <paramref name="text"/> starts on that line.</summary>
    public static int ColumnOf(string file, string text) =>
        File.ReadAllLines(file).First(l => l.Contains(text, StringComparison.Ordinal)).IndexOf(text, StringComparison.Ordinal) + 1;
}
