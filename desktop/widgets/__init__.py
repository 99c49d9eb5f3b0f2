"""The windows and panels of the app: UI only, they talk to the controller by signals and slots."""
