from zsl_cli.cli import main

main()
