using CompressBuild.Tool;

return CompressCli.Run(args, Console.Out, Console.Error);
