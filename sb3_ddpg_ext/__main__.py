from sb3_ddpg_ext.example import main

main()
