from compliance_hub.cli import main

main()
